// Detect: to be written.
