package GwUpstream;

# GwUpstream: a small HTTP/1.1 server that the proxy suites (t/gateway) use
# as the upstream of their services. A test starts one on a free port of
# 127.0.0.1; it runs as a forked child of the test (one more process per
# accepted connection, so that pooled keep-alive connections from several
# httpd children are served at the same time) and is killed by PID when the
# object is stopped or destroyed.
#
# Every answered request gets a JSON echo of what arrived:
#   { method, path, query, headers, body, conn_id, request_no, port }
# path is the raw request-target up to '?', query the rest (null without
# '?'), headers maps lower-cased names to values (a repeated header joined
# with ", "), conn_id numbers accepted TCP connections from 1, request_no
# numbers requests within one connection from 1. Strings are bytes: the
# echo is pure ASCII JSON (\u00XX for bytes >= 0x80) that echo() decodes
# back into the same bytes.
#
# Behaviours selected by the path prefix of the request-target:
#   /status/NNN   answer with status NNN (and the echo, unless NNN has no body)
#   /delay/MS     wait MS milliseconds, then echo
#   /reset        read the request, then reset the connection (RST) unanswered
#   /garbage      answer bytes that are not HTTP, then close
#   /hang         read the request and never answer (until stopped)
#   /close        echo with "Connection: close", then close the connection
#   /__stats      {connections, requests} so far (not itself counted as a
#                 request; its connection is counted)
# A request header "X-Upstream-Respond: Name: value" adds that header to
# the response, so tests can see how the proxy treats response headers. For
# several, use X-Upstream-Respond-1, -2, ... (in name order): a proxy may
# join repeated request headers into one line.
#
# Options of start():
#   reset_connections => N   reset the first N accepted connections right
#                            after accept, before reading anything
#   idle_timeout => S        close a connection idle for S seconds (30)
#   port => N                listen on this port instead of a free one
#                            (start() dies when it cannot)
#
# Each event is one line of JSON appended to a log file that every process
# of the server shares (appends of one short line are atomic):
#   {"ev":"conn","conn":N}                     a TCP connection was accepted
#   {"ev":"req","conn":N,"method":M,"target":T} a request was read
# stats() and events() read it from the test process.

use strict;
use warnings;

use Errno qw(EINTR EAGAIN);
use Fcntl qw(O_WRONLY O_APPEND O_CREAT);
use File::Temp ();
use IO::Select ();
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Socket qw(SOL_SOCKET SO_LINGER SOMAXCONN);
use Time::HiRes ();

my $JSON = JSON::PP->new->ascii->canonical;

# Hard limit on the server's life, so that a test that dies without
# stopping it leaves nothing behind for long.
my $MAX_LIFE = 300;

# start(%opt): binds a free port, forks the server and returns the handle.
sub start {
    my ($class, %opt) = @_;
    my $listen = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1', LocalPort => $opt{port} // 0, Proto => 'tcp',
        Listen => SOMAXCONN, ReuseAddr => 1)
        or die "GwUpstream: cannot listen on 127.0.0.1: $!\n";
    my $dir = File::Temp->newdir('gw-upstream-XXXXXX', TMPDIR => 1);
    my $self = bless {
        port => $listen->sockport, dir => $dir, log => "$dir/events",
        opt => { %opt, idle_timeout => $opt{idle_timeout} // 30,
                 reset_connections => $opt{reset_connections} // 0 },
        owner => $$,
    }, $class;
    open my $fh, '>', $self->{log} or die "GwUpstream: $self->{log}: $!\n";
    close $fh;
    my $pid = fork // die "GwUpstream: fork: $!\n";
    if (!$pid) {
        my $rc = eval { $self->_serve($listen); 0 } // 1;
        POSIX::_exit($rc);
    }
    close $listen;
    $self->{pid} = $pid;
    return $self;
}

sub port { $_[0]{port} }
sub host { '127.0.0.1' }
sub pid  { $_[0]{pid} }
sub hostport { '127.0.0.1:' . $_[0]{port} }
sub url { 'http://127.0.0.1:' . $_[0]{port} . ($_[1] // '') }

# events(): every logged event so far, in order, as hashes.
sub events {
    my $self = shift;
    open my $fh, '<', $self->{log} or die "GwUpstream: $self->{log}: $!\n";
    my @ev;
    local $/ = "\n";
    while (my $line = <$fh>) {
        next unless $line =~ /\n\z/;    # a line being written
        push @ev, JSON::PP->new->decode($line);
    }
    close $fh;
    return @ev;
}

# stats(): { connections => N, requests => N } counted so far.
sub stats {
    my $self = shift;
    my %s = (connections => 0, requests => 0);
    for my $e ($self->events) {
        $s{connections}++ if $e->{ev} eq 'conn';
        $s{requests}++    if $e->{ev} eq 'req';
    }
    return \%s;
}

# requests_for($re): the request events whose target matches $re.
sub requests_for {
    my ($self, $re) = @_;
    return grep { $_->{ev} eq 'req' && $_->{target} =~ $re } $self->events;
}

# echo($res): the upstream's echo carried by an HTTP::Response (through the
# proxy or not), or undef when the body is not an echo of this server.
sub echo {
    my ($class_or_self, $res) = @_;
    return undef unless $res && defined $res->content;
    my $data = eval { JSON::PP->new->decode($res->content) };
    return undef unless ref $data eq 'HASH' && exists $data->{conn_id};
    return $data;
}

# stop(): kills the server by PID and waits for it.
sub stop {
    my $self = shift;
    my $pid = delete $self->{pid} or return;
    return if $$ != $self->{owner};
    kill 'TERM', $pid;
    for (1 .. 50) {
        return if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.02);
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

sub DESTROY { $_[0]->stop }

# ---------------------------------------------------------------- server

my %kids;
my $logfd;
my $port;
my $log_path;

sub _log_event {
    my $line = $JSON->encode(shift) . "\n";
    syswrite $logfd, $line;
}

sub _serve {
    my ($self, $listen) = @_;
    my $parent = $self->{owner};
    my $opt = $self->{opt};
    $port = $self->{port};
    $log_path = $self->{log};
    $opt->{server_pid} = $$;
    sysopen $logfd, $log_path, O_WRONLY | O_APPEND | O_CREAT
        or die "$log_path: $!";
    # the test's own handlers are not the server's
    $SIG{$_} = 'DEFAULT' for qw(INT HUP ALRM __DIE__ __WARN__);
    $SIG{PIPE} = 'IGNORE';
    my $stop = 0;
    $SIG{TERM} = sub { $stop = 1 };
    $SIG{CHLD} = sub {
        while ((my $k = waitpid(-1, POSIX::WNOHANG())) > 0) { delete $kids{$k} }
    };
    my $deadline = time + $MAX_LIFE;
    my $sel = IO::Select->new($listen);
    my $conn_no = 0;
    while (!$stop && time < $deadline && getppid() == $parent) {
        next unless $sel->can_read(0.5);
        my $client = $listen->accept or next;
        $conn_no++;
        _log_event({ ev => 'conn', conn => $conn_no });
        if ($conn_no <= $opt->{reset_connections}) {
            _reset($client);
            next;
        }
        my $kid = fork;
        if (!defined $kid) {
            close $client;
            next;
        }
        if (!$kid) {
            $SIG{TERM} = 'DEFAULT';
            $SIG{CHLD} = 'DEFAULT';
            close $listen;
            eval { _connection($client, $conn_no, $opt) };
            POSIX::_exit(0);
        }
        $kids{$kid} = 1;
        close $client;
    }
    kill 'KILL', keys %kids if %kids;
    return;
}

sub _reset {
    my $sock = shift;
    setsockopt($sock, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
    close $sock;
}

# Appends what the peer sent next to $$buf: false on EOF, error, idle
# timeout or when the server process is gone.
sub _read_more {
    my ($sock, $buf, $opt) = @_;
    my $sel = IO::Select->new($sock);
    my $idle_until = time + $opt->{idle_timeout};
    while (1) {
        return 0 if time > $idle_until || getppid() != $opt->{server_pid};
        next unless $sel->can_read(1);
        my $n = sysread $sock, my $chunk, 65536;
        if (!defined $n) {
            next if $! == EINTR || $! == EAGAIN;
            return 0;
        }
        return 0 if $n == 0;
        $$buf .= $chunk;
        return 1;
    }
}

# Takes one CRLF-terminated line off $$buf, reading more as needed; undef
# when the connection ends first.
sub _read_line {
    my ($sock, $buf, $opt) = @_;
    my $crlf;
    while (($crlf = index($$buf, "\r\n")) < 0) {
        return undef unless _read_more($sock, $buf, $opt);
    }
    my $line = substr($$buf, 0, $crlf);
    substr($$buf, 0, $crlf + 2) = '';
    return $line;
}

# Reads exactly $len bytes off $$buf; undef when the connection ends first.
sub _read_bytes {
    my ($sock, $buf, $opt, $len) = @_;
    while (length($$buf) < $len) {
        return undef unless _read_more($sock, $buf, $opt);
    }
    my $bytes = substr($$buf, 0, $len);
    substr($$buf, 0, $len) = '';
    return $bytes;
}

# Reads one request off the connection: (method, target, version, headers,
# response headers asked for, body), or () when the connection ends.
sub _read_request {
    my ($sock, $buf, $opt) = @_;
    my $end;
    while (($end = index($$buf, "\r\n\r\n")) < 0) {
        return () unless _read_more($sock, $buf, $opt);
    }
    my ($line, @lines) = split /\r\n/, substr($$buf, 0, $end);
    substr($$buf, 0, $end + 4) = '';
    my ($method, $target, $version) = split / /, $line // '', 3;
    return () unless defined $version && $version =~ m{^HTTP/1\.[01]$};
    my (%h, @respond);
    for my $l (@lines) {
        my ($name, $value) = $l =~ /^([^:]+):[ \t]*(.*?)[ \t]*$/ or next;
        my $lc = lc $name;
        push @respond, [$lc, $value] if $lc =~ /^x-upstream-respond/;
        $h{$lc} = exists $h{$lc} ? "$h{$lc}, $value" : $value;
    }
    @respond = map { $_->[1] } sort { $a->[0] cmp $b->[0] } @respond;
    my $body = '';
    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        while (1) {
            my $size = hex(_read_line($sock, $buf, $opt) // return ());
            if (!$size) {
                while (1) {    # trailers, up to an empty line
                    my $t = _read_line($sock, $buf, $opt) // return ();
                    last if $t eq '';
                }
                last;
            }
            $body .= _read_bytes($sock, $buf, $opt, $size) // return ();
            _read_bytes($sock, $buf, $opt, 2) // return ();
        }
    }
    elsif ($h{'content-length'}) {
        $body = _read_bytes($sock, $buf, $opt, $h{'content-length'})
            // return ();
    }
    return ($method, $target, $version, \%h, \@respond, $body);
}

sub _connection {
    my ($sock, $conn_id, $opt) = @_;
    my $buf = '';
    my $request_no = 0;
    binmode $sock;
    while (1) {
        my ($method, $target, $version, $h, $respond, $body) =
            _read_request($sock, \$buf, $opt) or return;
        $request_no++;
        my ($path, $query) = split /\?/, $target, 2;
        my $keep = $version eq 'HTTP/1.1'
            ? (($h->{connection} // '') !~ /\bclose\b/i)
            : (($h->{connection} // '') =~ /\bkeep-alive\b/i);

        if ($path eq '/__stats') {
            my %s = (connections => 0, requests => 0);
            if (open my $fh, '<', $log_path) {
                while (my $l = <$fh>) {
                    $s{connections}++ if $l =~ /"ev":"conn"/;
                    $s{requests}++    if $l =~ /"ev":"req"/;
                }
            }
            _respond($sock, 200, $JSON->encode(\%s), $keep, $method, []);
            return unless $keep;
            next;
        }
        _log_event({ ev => 'req', conn => $conn_id, method => $method,
                     target => $target });

        if ($path =~ m{^/reset}) {
            _reset($sock);
            return;
        }
        if ($path =~ m{^/garbage}) {
            syswrite $sock, "\x00\x01 this is not HTTP \xff\xfe\r\n\r\nat all\n";
            close $sock;
            return;
        }
        if ($path =~ m{^/hang}) {
            sleep 1 while getppid() == $opt->{server_pid};
            return;
        }
        $keep = 0 if $path =~ m{^/close};
        my $status = $path =~ m{^/status/([2-5]\d\d)} ? $1 : 200;
        Time::HiRes::sleep($1 / 1000) if $path =~ m{^/delay/(\d+)};
        my $echo = $JSON->encode({
            method => $method, path => $path, query => $query,
            headers => $h, body => $body, conn_id => $conn_id,
            request_no => $request_no, port => $port,
        });
        _respond($sock, $status, $echo, $keep, $method, $respond);
        return unless $keep;
    }
}

sub _respond {
    my ($sock, $status, $body, $keep, $method, $extra) = @_;
    my $no_body = $status == 204 || $status == 304;
    my $out = "HTTP/1.1 $status Upstream $status\r\n"
        . "Server: gw-upstream\r\n"
        . "Content-Type: application/json\r\n";
    $out .= "Content-Length: " . length($body) . "\r\n" unless $no_body;
    $out .= "Connection: close\r\n" unless $keep;
    for my $h (@$extra) {
        $out .= "$h\r\n" if $h =~ /^[!#\$%&'*+.^_`|~0-9A-Za-z-]+: [^\r\n]*$/;
    }
    $out .= "\r\n";
    $out .= $body unless $no_body || $method eq 'HEAD';
    my $off = 0;
    while ($off < length $out) {
        my $n = syswrite $sock, $out, length($out) - $off, $off;
        if (!defined $n) {
            next if $! == EINTR || $! == EAGAIN;
            return;
        }
        $off += $n;
    }
}

1;
