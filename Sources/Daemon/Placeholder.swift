// Daemon: to be written.
