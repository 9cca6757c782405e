package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/taxonomy"
)

func newLabelsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "labels",
		Short: "Print the taxonomy: 36 labels in 7 groups",
		Args:  noArgs,
		// Nothing to complete: no file names either.
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(*cobra.Command, []string) error {
			labels := taxonomy.Default().Labels()
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				for _, l := range labels {
					if err := enc.Encode(l); err != nil {
						return err
					}
				}
				return nil
			}
			w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "GROUP\tLABEL\tDESCRIPTION")
			for _, l := range labels {
				fmt.Fprintf(w, "%s\t%s\t%s\n", l.Group, l.ID, l.Description)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per label")
	return cmd
}
