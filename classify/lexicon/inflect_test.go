package lexicon

import (
	"slices"
	"testing"
)

func TestInflect(t *testing.T) {
	tests := []struct {
		word      string
		want, not []string
	}{
		{"stab", []string{"stab", "stabs", "stabbed", "stabbing"}, []string{"stabed"}},
		{"scar", []string{"scars", "scarred", "scarring"}, []string{"scared", "scaring"}},
		{"strip", []string{"stripped", "stripping"}, []string{"striped", "striping"}},
		{"kidnap", []string{"kidnapped", "kidnapping", "kidnaped", "kidnaps"}, nil},
		{"murder", []string{"murdered", "murdering", "murders"}, nil},
		{"rape", []string{"raped", "raping", "rapes"}, []string{"rapeing"}},
		{"die", []string{"died", "dying", "dies"}, nil},
		{"bully", []string{"bullied", "bullies", "bullying"}, nil},
		{"slay", []string{"slayed", "slaying", "slays"}, nil},
		{"punch", []string{"punched", "punches", "punching"}, nil},
		{"panic", []string{"panicked", "panicking"}, nil},
		{"flee", []string{"fleeing", "fleed"}, nil},
		{"torture", []string{"tortured", "tortures", "torturing"}, nil},
		{"abuse", []string{"abused", "abuses", "abusing"}, nil},
		{"gaslight", []string{"gaslighted", "gaslighting"}, []string{"gaslightted"}},
		{"hit", []string{"hits", "hitting"}, nil},
		{"can't", []string{"can't"}, []string{"can'ts"}},
		{"naïve", []string{"naïve"}, []string{"naïves"}},
	}
	for _, tt := range tests {
		got := inflect(tt.word)
		if got[0] != tt.word {
			t.Errorf("inflect(%q)[0] = %q, want the word itself", tt.word, got[0])
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("inflect(%q) = %v, lacks %q", tt.word, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("inflect(%q) = %v, has %q", tt.word, got, w)
			}
		}
	}
}

func TestNearest(t *testing.T) {
	tests := []struct {
		s          string
		candidates []string
		want       string
	}{
		{"exeptions", catKeys, "exceptions"},
		{"wieght", termKeys, "weight"},
		{"simile_factr", topKeys, "simile_factor"},
		{"violnce", labelIDs(), "violence"},
		{"zzzzzz", termKeys, ""}, // too far from everything to be a typo
	}
	for _, tt := range tests {
		if got := nearest(tt.s, tt.candidates); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
