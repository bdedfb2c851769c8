// Alert: to be written.
