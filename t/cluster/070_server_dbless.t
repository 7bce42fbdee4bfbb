# script/server --dbless FILE (the README's way to try the gateway without a
# database): starts httpd alone with GatewayDatabase off on the ports it is
# given, loads the file, answers on both vhosts, and --stop stops it. Runs
# in its own sandbox folder on free loopback ports.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use IO::Socket::INET ();
use Test::More;
use GwCluster;

my $ROOT = "$FindBin::Bin/../..";
my $sandbox = File::Temp::tempdir('gw-server.XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0711, $sandbox;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "no free port: $!";
    return $s->sockport;
}

my ($proxy, $admin) = (free_port(), free_port());
$admin = free_port() while $admin == $proxy;
local $ENV{GW_SANDBOX} = $sandbox;
local $ENV{GW_PROXY_PORT} = $proxy;
local $ENV{GW_ADMIN_PORT} = $admin;

# the example file points at the Admin API on 8001: point it at this one
my $file = "$sandbox/kong.yml";
(my $text = GwCluster::slurp("$ROOT/httpd-conf/kong.yml")) =~ s/127\.0\.0\.1:8001/127.0.0.1:$admin/g;
open my $fh, '>', $file or die;
print {$fh} $text;
close $fh;
chmod 0644, $file;

my $out = `cd $ROOT && script/server --dbless $file 2>&1`;
is($?, 0, 'script/server --dbless returns 0') or diag($out);
like($out, qr{admin API: http://127\.0\.0\.1:$admin/}, 'prints the Admin API URL');
like($out, qr/database:\s+off \(declarative file \Q$file\E\)/, 'says it runs without a database');
ok(!-d "$sandbox/pg", 'no PostgreSQL was started');

my $ua = GwCluster::ua();
my $res = $ua->get("http://127.0.0.1:$admin/status");
is($res->code, 200, 'the Admin API answers');
like($res->content, qr/"configuration_hash":"[0-9a-f]{32}"/, 'with a configuration hash');
$res = $ua->get("http://127.0.0.1:$proxy/admin-api/status");
is($res->code, 200, 'the proxy routes /admin-api as the file says') or diag($res->as_string);
like($res->content, qr/"configuration_hash"/, 'to the Admin API');

$out = `cd $ROOT && script/server --stop 2>&1`;
is($?, 0, 'script/server --stop') or diag($out);
ok(!IO::Socket::INET->new(PeerAddr => "127.0.0.1:$admin", Timeout => 2), 'nothing listens any more');
done_testing();
