package web

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tagger-dev/tagger/classify"
)

// The page in a real browser: Debian's chromium, driven with chromedp,
// against the server on a real listener. The tests skip with -short and
// where there is no browser (.ci/run installs one).

var screenshotDir = flag.String("screenshots", "", "with TestScreenshots: write the README's screenshots of the page to `DIR` (docs/img)")

// browserTimeout bounds each browser test.
const browserTimeout = 90 * time.Second

// chromePath is the browser to drive: $CHROME_PATH, else Debian's
// /usr/bin/chromium; "" when there is none.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// newBrowser starts a headless browser for t, stopped when t ends, or
// skips t.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the browser tests start Chromium")
	}
	path := chromePath()
	if path == "" {
		const msg = "no browser: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROME_PATH"
		if v := os.Getenv("CI"); v != "" && v != "false" && v != "0" {
			// CI promises the browser tests ran: a missing browser fails.
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The machine may have no network: these flags keep Chromium from
	// trying to reach Google's services (and waiting for them).
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancel)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	// The browser lives as long as the context of its first run: no
	// timeout on that one.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// newTab opens a tab of the browser for t, bounded by browserTimeout, and
// fails t on any error the page's console reports (a script's error, an
// uncaught exception, a resource that failed to load, a
// Content-Security-Policy violation) but those that hold expected.
func newTab(t *testing.T, browser context.Context, expected ...string) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var bad []string
	msgs := chromedp.Console(tab) // opens the tab and subscribes
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				if slices.ContainsFunc(expected, func(e string) bool { return e != "" && strings.Contains(m.Text, e) }) {
					continue
				}
				mu.Lock()
				bad = append(bad, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
				mu.Unlock()
			}
		}
	}()
	ctx, cancelT := context.WithTimeout(tab, browserTimeout)
	t.Cleanup(func() {
		// A round trip, so that what the page logged before reaches msgs.
		chromedp.Run(ctx, chromedp.Evaluate[int]("1"))
		time.Sleep(100 * time.Millisecond)
		cancelT()
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, m := range bad {
			t.Errorf("console: %s", m)
		}
	})
	return ctx
}

// waitReport waits for the report to show in #result, or the error
// (what "alert"), or nothing (what "cleared").
func waitReport(ctx context.Context, what string) error {
	switch what {
	case "alert":
		return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#result [role=alert]`)))
	case "cleared":
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('result').childElementCount === 0`))
		return err
	}
	return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#result article.tagger-story h2")))
}

// dropFile drops the file at path on the element of id, as a user drags
// it from a file manager.
func dropFile(id, path string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		at, err := chromedp.Evaluate[[2]float64](`(() => { const r = document.getElementById('`+id+`').getBoundingClientRect();
			return [r.left + r.width / 2, r.top + r.height / 2]; })()`)(ctx, tg)
		if err != nil {
			return err
		}
		data := &input.DragData{Items: []*input.DragDataItem{}, Files: []string{path}, DragOperationsMask: 1}
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, tg, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at[0], Y: at[1], Data: data}); err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
		}
		return nil
	})
}

// markedViolence returns the text of the <mark>s in the report's
// violence finding.
const markedViolence = `Array.from(document.querySelectorAll('#result li.finding'))
	.filter(li => li.querySelector('.label').textContent === 'violence')
	.flatMap(li => Array.from(li.querySelectorAll('mark'), m => m.textContent))`

// pageState is what a test reads of the page once a check is answered.
type pageState struct {
	Marks    []string `json:"marks"`
	Verdict  string   `json:"verdict"`
	Heading  string   `json:"heading"`
	Focused  string   `json:"focused"` // the focused element's text
	FocusID  string   `json:"focusID"` // and its id
	Status   string   `json:"status"`  // the live region's
	Reloaded bool     `json:"reloaded"`
	Alert    string   `json:"alert"`
	Scripted bool     `json:"scripted"` // page.js ran
	Text     string   `json:"text"`     // the text box's
}

const readState = `(() => {
	const q = s => document.querySelector(s);
	const text = s => q(s) ? q(s).textContent.trim() : '';
	return {
		marks: ` + markedViolence + `,
		verdict: text('#result .verdict-text'),
		heading: text('#result article.tagger-story h2'),
		focused: document.activeElement ? document.activeElement.textContent.trim() : '',
		focusID: document.activeElement ? document.activeElement.id : '',
		status: text('#status'),
		reloaded: window.taggerTestMarker !== 1,
		alert: text('#result [role=alert]'),
		scripted: !document.getElementById('clear').hidden,
		text: document.getElementById('text').value,
	};
})()`

// TestBrowser drives the page as a moderator would: paste seed 003 and
// check it (with the script, and with scripts disabled: the form post),
// upload an EPUB, check with Ctrl+Enter, and submit nothing; the page
// shows the report with the violence passage marked, or the error, and
// its console stays free of errors.
func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	m := testModel(t)
	_, ts, _ := newTestServer(t, Options{Model: m})
	seed := readFile(t, seed003)
	epubPath := filepath.Join(t.TempDir(), "story.epub")
	epub := testEPUB(t)
	if err := os.WriteFile(epubPath, epub, 0o644); err != nil {
		t.Fatal(err)
	}
	seedVerdict := wantVerdict(t, m, pastedName, seed, classify.Balanced)
	epubVerdict := wantVerdict(t, m, "story.epub", epub, classify.Balanced)
	wantEPUB := func(t *testing.T, s pageState) {
		if !strings.HasPrefix(s.Heading, "story.epub") {
			t.Errorf("heading %q, want the file's name", s.Heading)
		}
		if s.Verdict != epubVerdict {
			t.Errorf("verdict %q, want %q", s.Verdict, epubVerdict)
		}
	}
	// The script shows the chosen file's name and size.
	fileShown := chromedp.Poll[chromedp.Void](`document.getElementById('file-info').textContent.startsWith('Chosen: story.epub, ')`)
	// The marker tells a page replaced in place from one loaded anew.
	mark := chromedp.Evaluate[chromedp.Void]("window.taggerTestMarker = 1")
	paste := chromedp.SetValue(chromedp.ID("text"), string(seed))
	tests := []struct {
		name     string
		noScript bool
		steps    []chromedp.Action[chromedp.Void]
		wait     string // "report" or "alert"
		console  string // an error the console is expected to show
		check    func(t *testing.T, s pageState)
	}{
		{"paste and check", false, []chromedp.Action[chromedp.Void]{mark, paste, chromedp.Click(chromedp.ID("submit"))}, "report", "",
			func(t *testing.T, s pageState) {
				wantViolence(t, s, seedVerdict)
				if s.Reloaded {
					t.Error("the page was loaded anew: the script did not post the form")
				}
				if !strings.HasPrefix(s.Focused, pastedName) {
					t.Errorf("focus on %q, want the report's heading", s.Focused)
				}
				if s.Status != "Report ready. "+seedVerdict {
					t.Errorf("live region %q", s.Status)
				}
			}},
		{"paste and check without a script", true, []chromedp.Action[chromedp.Void]{paste, chromedp.Click(chromedp.ID("submit"))}, "report", "",
			func(t *testing.T, s pageState) { wantViolence(t, s, seedVerdict) }},
		{"Ctrl+Enter checks", false, []chromedp.Action[chromedp.Void]{mark, paste, chromedp.Focus(chromedp.ID("text")),
			chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl))}, "report", "",
			func(t *testing.T, s pageState) {
				wantViolence(t, s, seedVerdict)
				if s.Reloaded {
					t.Error("the page was loaded anew")
				}
			}},
		{"upload an EPUB", false, []chromedp.Action[chromedp.Void]{mark, chromedp.SetUploadFiles(chromedp.ID("file"), []string{epubPath}),
			fileShown, chromedp.Click(chromedp.ID("submit"))}, "report", "", wantEPUB},
		{"drop an EPUB on the text box", false, []chromedp.Action[chromedp.Void]{mark, dropFile("text", epubPath),
			fileShown, chromedp.Click(chromedp.ID("submit"))}, "report", "", wantEPUB},
		{"clear", false, []chromedp.Action[chromedp.Void]{mark, paste, chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.CSS("#result article")), chromedp.Click(chromedp.ID("clear"))}, "cleared", "",
			func(t *testing.T, s pageState) {
				if s.Text != "" || s.FocusID != "text" || s.Status != "Cleared." {
					t.Errorf("text box %d bytes, focus on #%s, live region %q: want it empty and focused, Cleared.", len(s.Text), s.FocusID, s.Status)
				}
			}},
		{"check nothing", false, []chromedp.Action[chromedp.Void]{mark, chromedp.Click(chromedp.ID("submit"))}, "alert",
			// The browser logs the answer's status, 422, as an error.
			"the server responded with a status of 422",
			func(t *testing.T, s pageState) {
				if !strings.Contains(s.Alert, "nothing to check: paste a story or choose a file") || !strings.Contains(s.Focused, "Could not check the story") {
					t.Errorf("alert %q, focus on %q", s.Alert, s.Focused)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTab(t, browser, tc.console)
			if tc.noScript {
				if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				})); err != nil {
					t.Fatal(err)
				}
			}
			steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(ts.URL + "/"), chromedp.WaitVisible(chromedp.ID("submit"))}, tc.steps...)
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			if err := waitReport(ctx, tc.wait); err != nil {
				t.Fatalf("waiting for the %s: %v", tc.wait, err)
			}
			s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
			if err != nil {
				t.Fatal(err)
			}
			if s.Scripted == tc.noScript {
				t.Errorf("page.js ran: %v, scripts disabled: %v", s.Scripted, tc.noScript)
			}
			tc.check(t, s)
		})
	}
}

// wantViolence checks the report of seed 003: its verdict, and the
// violence passage marked in its finding.
func wantViolence(t *testing.T, s pageState, verdict string) {
	t.Helper()
	if s.Verdict != verdict {
		t.Errorf("verdict %q, want %q", s.Verdict, verdict)
	}
	for _, m := range s.Marks {
		if strings.Contains(m, violencePassage) {
			return
		}
	}
	t.Errorf("no <mark> of the violence finding holds %q: %q", violencePassage, s.Marks)
}

// TestScreenshots writes the README's pictures of the page, when asked:
//
//	go test ./web -run TestScreenshots -screenshots ../docs/img
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("writes the README's screenshots with -screenshots DIR")
	}
	browser := newBrowser(t)
	_, ts, _ := newTestServer(t, Options{})
	seed := readFile(t, seed003)
	tests := []struct {
		file          string
		width, height int64
		mobile        bool
		report        bool
		dark          bool // prefers-color-scheme: dark
	}{
		{"page.png", 1024, 860, false, false, false},
		{"report.png", 1024, 1300, false, true, false},
		{"page-phone.png", 360, 1100, true, false, false},
		{"report-phone.png", 360, 1400, true, true, false},
		{"report-dark.png", 1024, 800, false, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ctx := newTab(t, browser)
			var opts []chromedp.EmulateViewportOption
			if tc.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
			}
			scheme := "light"
			if tc.dark {
				scheme = "dark"
			}
			steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(tc.width, tc.height, opts...),
				chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}),
				chromedp.Navigate(ts.URL + "/"), chromedp.WaitVisible(chromedp.ID("submit"))}
			if tc.report {
				steps = append(steps, chromedp.SetValue(chromedp.ID("text"), string(seed)), chromedp.Click(chromedp.ID("submit")))
			}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			top := 0.0
			if tc.report {
				if err := waitReport(ctx, "report"); err != nil {
					t.Fatal(err)
				}
				// From a little above the report's heading.
				y, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
					`document.querySelector('#result article').getBoundingClientRect().top + window.scrollY - 16`))
				if err != nil {
					t.Fatal(err)
				}
				top = y
			}
			png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
				r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
					Format:                page.CaptureScreenshotFormatPng,
					Clip:                  &page.Viewport{X: 0, Y: top, Width: float64(tc.width), Height: float64(tc.height), Scale: 1},
					CaptureBeyondViewport: new(true),
				})
				return r.Data, err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(png) == 0 {
				t.Fatal(errors.New("an empty screenshot"))
			}
			p := filepath.Join(*screenshotDir, tc.file)
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d KB", p, len(png)>>10)
		})
	}
}
