# https upstreams: mod_ssl's proxy engine carries the request, and a
# service's tls_verify chooses between the proxy vhost's
# <Proxy "gateway:tls-verify"> and <Proxy "gateway:tls-no-verify"> sections
# (t/conf/extra.conf.in). The upstream is a small TLS server started here on
# a free loopback port, with the certificate in t/conf/upstream-tls/ (CN and
# SAN "localhost", trusted by the verify section).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(plan ok have_module);
use Apache::TestUtil qw(t_cmp);
use IO::Socket::IP ();
use IO::Socket::SSL ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep time);
use GwAdmin qw(api_post api_put reset_db);
use GwTest qw(root_dir);
use GwProxy qw(proxy);

plan tests => 8, have_module('ssl');

my $dir = root_dir() . '/t/conf/upstream-tls';

# the upstream: answers "tls ok <path>" on keep-alive connections
my $listen = IO::Socket::IP->new(LocalHost => '127.0.0.1', LocalPort => 0,
                                 Listen => 16, ReuseAddr => 1)
    or die "listen: $!";
my $port = $listen->sockport;
my $pid = fork();
die "fork: $!" unless defined $pid;
if (!$pid) {
    local $SIG{ALRM} = sub { POSIX::_exit(0) };
    local $SIG{CHLD} = 'IGNORE';
    alarm 120;    # never outlives a stuck test
    while (1) {
        my $c = $listen->accept or next;
        my $kid = fork();
        if (defined $kid && $kid == 0) {
            # one connection per process: a handshake the proxy aborts, or
            # a pooled connection it keeps idle, never blocks the others
            alarm 10;
            my $tls = IO::Socket::SSL->start_SSL($c, SSL_server => 1,
                SSL_cert_file => "$dir/upstream.crt",
                SSL_key_file  => "$dir/upstream.key") or POSIX::_exit(0);
            while (defined(my $line = <$tls>)) {
                my ($path) = $line =~ m{^\S+ (\S+)};
                while (my $h = <$tls>) { last if $h =~ /^\r?\n$/ }
                my $body = "tls ok " . ($path // '?');
                print $tls "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    . "Content-Length: " . length($body) . "\r\n\r\n$body";
            }
            POSIX::_exit(0);
        }
        close $c;
    }
}
END { local $?; if ($pid) { kill "TERM", $pid; waitpid($pid, 0) } }

reset_db();

sub route_to {
    my ($name, $url, $verify) = @_;
    my ($st) = api_put("/services/$name", { url => $url, tls_verify => $verify });
    die "service $name: $st" unless $st == 200;
    ($st) = api_put("/routes/$name", { paths => ["/$name"], service => { name => $name } });
    die "route $name: $st" unless $st == 200;
}

# tls_verify null: the vhost's own settings (SSLProxyVerify none by default)
route_to('tls-default', "https://127.0.0.1:$port/up", undef);
route_to('tls-verify', "https://localhost:$port/up", JSON::PP::true());
route_to('tls-verify-ip', "https://127.0.0.1:$port/up", JSON::PP::true());
route_to('tls-noverify', "https://127.0.0.1:$port/up", JSON::PP::false());

# wait for the configuration to reach the proxy
my $deadline = time + 5;
my $r;
do { $r = proxy(GET => '/tls-noverify/x'); sleep 0.05 } while ($r->code == 404 && time < $deadline);

ok t_cmp($r->code, 200, 'tls_verify=false: proxied over TLS without verification');
ok t_cmp($r->content, 'tls ok /up/x', 'upstream path composed over https');

$r = proxy(GET => '/tls-verify/y');
ok t_cmp($r->code, 200, 'tls_verify=true with a trusted certificate that names the host');
ok t_cmp($r->content, 'tls ok /up/y', 'body from the upstream');

$r = proxy(GET => '/tls-verify-ip/z');
ok t_cmp($r->code, 502, 'tls_verify=true and the certificate does not name 127.0.0.1: 502');
ok t_cmp($r->content, qr/An invalid response was received from the upstream server/,
         "Kong's 502 message");

# the vhost itself sets no SSLProxyVerify, so mod_ssl's default applies
# (no chain verification, but the name is still checked)
$r = proxy(GET => '/tls-default/w');
ok t_cmp($r->code, 502, 'tls_verify=null follows the vhost: the name check fails');

# the verify and no-verify connections never share a pool: alternate them
my @codes = map { proxy(GET => $_ % 2 ? '/tls-verify-ip/a' : '/tls-noverify/a')->code } 1 .. 6;
ok t_cmp("@codes", '502 200 502 200 502 200', 'pooled connections keep their verification mode');
