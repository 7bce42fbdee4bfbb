# The Admin API answers on its own vhost with Kong's node information and
# sees the database: the first thing an operator (or decK) checks.
use strict;
use warnings FATAL => 'all';

use FindBin ();
use lib "$FindBin::Bin/../lib";

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use JSON::PP ();
use GwTest qw(admin_request json_body);

plan tests => 8;

my $res = admin_request(GET => '/');
ok t_cmp($res->code, 200, 'GET / answers 200');
ok t_cmp(scalar $res->header('Content-Type'), qr{^application/json},
         'GET / is JSON');
my $node = json_body($res);
ok t_cmp(ref $node, 'HASH', 'GET / body is a JSON object');
ok t_cmp($node && $node->{version}, qr/^\d+\.\d+\.\d+/,
         'GET / carries a version');

$res = admin_request(GET => '/status');
ok t_cmp($res->code, 200, 'GET /status answers 200');
ok t_cmp(scalar $res->header('Content-Type'), qr{^application/json},
         'GET /status is JSON');
my $status = json_body($res) || {};
my $reachable = $status->{database} && $status->{database}{reachable};
ok t_cmp(JSON::PP::is_bool($reachable) ? 'boolean' : 'not boolean', 'boolean',
         'database.reachable is a JSON boolean');
ok t_cmp($reachable ? 'true' : 'false', 'true', 'database.reachable is true');
