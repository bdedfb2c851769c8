#!/usr/bin/perl
# The chaos soak's writer (scripts/chaos.sh), run inside the container as ssh.service so that
# journald stamps every entry _SYSTEMD_UNIT=ssh.service _UID=0 (trusted for the sshd log source).
# Perl, because the container's minimal root file system has perl-base but no Python.
#
#   chaos-writer.pl STREAM RATE SECONDS DONE_FILE
#
# Sends the lines of STREAM (IDENTIFIER<TAB>PRIORITY<TAB>MESSAGE, scripts/chaos-stream.py) to
# journald's native socket, one datagram per entry (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
# SYSLOG_PID, CHAOS_SEQ), at about RATE entries a second, until the stream ends or SECONDS have
# passed; then one last entry, MESSAGE=chaos-writer done N with CHAOS_END=N, and N in DONE_FILE.
# A full socket buffer blocks the send (journald is behind): nothing is dropped.
use strict;
use warnings;
use Socket;

my ($stream, $rate, $seconds, $done_file) = @ARGV;
die "usage: chaos-writer.pl STREAM RATE SECONDS DONE_FILE\n" unless defined $done_file;
socket(my $socket, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
my $address = pack_sockaddr_un("/run/systemd/journal/socket");
open(my $input, '<', $stream) or die "$stream: $!\n";

sub send_entry {
    my ($payload) = @_;
    until (defined send($socket, $payload, 0, $address)) {
        die "send: $!\n" unless $!{EINTR} || $!{EAGAIN} || $!{ENOBUFS};
        select(undef, undef, undef, 0.001);
    }
}

my $start = time();
my $sent = 0;
while (my $line = <$input>) {
    chomp $line;
    my ($identifier, $priority, $message) = split /\t/, $line, 3;
    next unless defined $message;
    my $now = time();
    last if $now - $start >= $seconds;
    # At most RATE a second on average: past the allowance, wait for the clock's next second.
    while ($sent >= $rate * ($now - $start + 1)) {
        select(undef, undef, undef, 0.01);
        $now = time();
    }
    $sent++;
    send_entry("MESSAGE=$message\nPRIORITY=$priority\nSYSLOG_IDENTIFIER=$identifier\nSYSLOG_PID="
        . (4000 + $sent % 30000) . "\nCHAOS_SEQ=$sent\n");
}
send_entry("MESSAGE=chaos-writer done $sent\nPRIORITY=6\nSYSLOG_IDENTIFIER=chaos-writer\nCHAOS_END=$sent\n");
open(my $done, '>', "$done_file.tmp") or die "$done_file: $!\n";
print $done "$sent\n";
close($done);
rename("$done_file.tmp", $done_file) or die "$done_file: $!\n";
