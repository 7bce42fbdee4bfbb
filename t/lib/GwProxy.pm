package GwProxy;

# GwProxy: what the proxy suites (t/gateway) share: requests to the proxy
# (the main Apache::Test server, or another vhost), raw requests for input
# no HTTP library would send, waiting until a configuration written through
# the Admin API is live on the proxy, creating services and routes, and
# reading what httpd logged and how many children it runs.
#
# Configuration reaches the proxy asynchronously (the refresher loads a
# whole snapshot from PostgreSQL after each write), so a suite writes
# everything it needs and then calls sync_proxy() before it asserts.

use strict;
use warnings;

use Exporter qw(import);
use HTTP::Request ();
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use LWP::UserAgent ();
use Test::Builder ();
use Time::HiRes ();
use Apache::Test ();
use Apache::TestRequest ();
use GwAdmin ();
use GwTest ();

our @EXPORT = qw(
    proxy proxy_raw vhost_hostport wait_until sync_proxy
    make_service make_route kong_error_json
    error_log_offset error_log_since httpd_children
);

my %ua;

sub _ua {
    my $keep = shift // 0;
    return $ua{$keep} ||= LWP::UserAgent->new(
        timeout => 30, max_redirect => 0, keep_alive => $keep ? 4 : 0);
}

# vhost_hostport($name): "host:port" of an Apache::Test named vhost, or of
# the main server (the proxy) without a name.
sub vhost_hostport {
    my $name = shift;
    return GwTest::proxy_hostport() unless defined $name;
    my $vhost = Apache::Test::config()->{vhosts}{$name}
        or die "no vhost $name in the Apache::Test configuration\n";
    return $vhost->{hostport};
}

# proxy($method, $path, %opt): one request through the proxy; returns the
# HTTP::Response (redirects are not followed). $path is sent as given
# (escapes and all). Options:
#   headers => [name => value, ...]   repeated names are sent repeatedly
#   host => 'name[:port]'             the Host header (default: the proxy's)
#   body => BYTES                     request body (Content-Length is set)
#   vhost => NAME                     an Apache::Test named vhost instead
#   keep_alive => 1                   reuse one client connection
sub proxy {
    my ($method, $path, %opt) = @_;
    my $req = HTTP::Request->new(
        $method => 'http://' . vhost_hostport($opt{vhost}) . $path);
    $req->header(Host => $opt{host}) if defined $opt{host};
    my @h = @{ $opt{headers} || [] };
    while (my ($k, $v) = splice @h, 0, 2) {
        $req->push_header($k => $v);
    }
    if (defined $opt{body}) {
        $req->content($opt{body});
        $req->header('Content-Length' => length $opt{body});
    }
    return _ua($opt{keep_alive})->request($req);
}

# proxy_raw($bytes, %opt): sends $bytes verbatim on a new connection to the
# proxy (or vhost => NAME) and reads until the server closes or timeout
# (seconds, default 10) passes. Returns (HTTP::Response or undef when
# nothing came back, the raw bytes received). Send "Connection: close" or
# HTTP/1.0 so that the answer ends with the connection.
sub proxy_raw {
    my ($bytes, %opt) = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => vhost_hostport($opt{vhost}), Proto => 'tcp',
        Timeout => 5)
        or die "cannot connect to the proxy: $!\n";
    binmode $sock;
    local $SIG{PIPE} = 'IGNORE';
    my $off = 0;
    while ($off < length $bytes) {
        my $n = syswrite $sock, $bytes, length($bytes) - $off, $off;
        last unless $n;    # the server may answer and close early
        $off += $n;
    }
    my $sel = IO::Select->new($sock);
    my $deadline = Time::HiRes::time() + ($opt{timeout} // 10);
    my $text = '';
    while ((my $left = $deadline - Time::HiRes::time()) > 0) {
        last unless $sel->can_read($left);
        my $n = sysread $sock, my $chunk, 65536;
        last unless $n;
        $text .= $chunk;
    }
    close $sock;
    return (undef, $text) unless $text =~ m{^HTTP/\d};
    return (HTTP::Response->parse($text), $text);
}

# wait_until($code, [$seconds]): calls $code every 50 ms until it returns
# true (returned) or $seconds (default 5) pass (false).
sub wait_until {
    my ($code, $seconds) = @_;
    my $deadline = Time::HiRes::time() + ($seconds // 5);
    while (1) {
        my $v = $code->();
        return $v if $v;
        return 0 if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.05);
    }
}

my $sync_no = 0;

# sync_proxy(): returns once every Admin API write made before the call is
# live on the proxy. It writes a route of its own (a unique path, no
# service) and polls until the proxy answers it with Kong's 503: snapshots
# are whole, so whatever was committed before that route is live too. Dies
# after 5 s.
sub sync_proxy {
    my $path = "/__sync/$$/" . ++$sync_no;
    my ($st, $route, $res) = GwAdmin::api_post('/routes', { paths => [$path] });
    die "sync_proxy: POST /routes answered $st: " . $res->content . "\n"
        unless $st == 201;
    my $live = wait_until(sub { proxy(GET => $path)->code == 503 }, 5);
    # Each child of httpd rebuilds its router on its own, a few ms apart:
    # give the others time, then see the route on a few more connections
    # (which land on whichever children accept them).
    if ($live) {
        Time::HiRes::sleep(0.2);
        $live = wait_until(sub {
            for (1 .. 4) { return 0 if proxy(GET => $path)->code != 503 }
            return 1;
        }, 5);
    }
    GwAdmin::api_delete("/routes/$route->{id}");
    die "sync_proxy: the proxy did not pick up a route within 5 s\n"
        unless $live;
    return 1;
}

sub _create {
    my ($what, $fields) = @_;
    my ($st, $body, $res) = GwAdmin::api_post("/$what", $fields);
    die "POST /$what answered $st: " . $res->content . "\n" unless $st == 201;
    return $body;
}

# make_service(%fields), make_route(%fields): create through the Admin API
# and return the entity; die when the Admin API refuses.
sub make_service { _create('services', {@_}) }
sub make_route   { _create('routes', {@_}) }

# kong_error_json($message, $request_id): Kong's kong.response.error JSON
# body, byte for byte (reference §3.9).
sub kong_error_json {
    my ($msg, $id) = @_;
    return qq({\n  "message":"$msg",\n  "request_id":"$id"\n});
}

sub _error_log { Apache::Test::vars('t_logs') . '/error_log' }

# error_log_offset(): the current size of t/logs/error_log.
sub error_log_offset { -s _error_log() // 0 }

# error_log_since($offset): what httpd logged after $offset.
sub error_log_since {
    my $offset = shift;
    open my $fh, '<', _error_log() or return '';
    seek $fh, $offset, 0;
    local $/;
    my $text = <$fh> // '';
    close $fh;
    return $text;
}

# httpd_children(): PIDs of the test server's child processes.
sub httpd_children {
    my $pidfile = Apache::Test::vars('t_logs') . '/httpd.pid';
    open my $fh, '<', $pidfile or return ();
    my $parent = <$fh>;
    close $fh;
    chomp $parent;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $s, '<', $stat or next;
        my $line = <$s> // '';
        close $s;
        # pid (comm) state ppid ...
        push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $parent;
    }
    return @kids;
}

1;
