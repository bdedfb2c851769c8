// Respond: alert → action. Which configured action an alert triggers (bindings and guardrails),
// the ledger that makes each action run exactly once and undoes it after its TTL, and the hooks
// run with posix_spawn: argv, environment variables and the alert as JSON on stdin, never a shell.
