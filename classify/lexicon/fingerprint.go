package lexicon

// compilerFingerprintValue is what compilerFingerprint computes, kept
// here so that loading a compiled lexicon does not parse and compile the
// probe lexicon (a millisecond and a half at every tagger check).
// TestCompilerFingerprint fails when a change to the compiler changes it:
// run `go test ./classify/lexicon -run TestCompilerFingerprint
// -update-fingerprint`, then `go generate ./models` (the embedded lexicon
// is stale then too).
var compilerFingerprintValue = [8]byte{0x6, 0x70, 0xa8, 0xe, 0x3e, 0x73, 0xc1, 0xd7}
