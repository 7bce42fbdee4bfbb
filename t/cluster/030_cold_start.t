# Cold start from the last-known-good file: a node that starts while the
# database is down serves the configuration it last saw (GatewaySnapshotFile,
# written by its refresher), says so in its error log (GW00138) and in
# /status, and catches up by itself once the database answers.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use GwCluster;

my $c = GwCluster->start(nodes => 2);
my @routes = qw(cold1 cold2 cold3);
my $snapshot = $c->node(2)->{snapshot};

subtest 'routes on both nodes, saved to node 2 last-known-good file' => sub {
    my ($st) = $c->admin(1, POST => '/services',
                         { name => 'echo', url => $c->upstream_url });
    is($st, 201, 'service created');
    for my $r (@routes) {
        ($st) = $c->admin(1, POST => '/services/echo/routes',
                          { name => $r, paths => ["/$r"] });
        is($st, 201, "route $r created");
    }
    for my $k (1, 2) {
        ok($c->wait_until(5, sub { $c->serves($k, "/$routes[-1]/hello.txt") }),
           "node$k proxies the routes");
    }
    # the refresher publishes, then writes the file (GWSNAP1 header, JSON)
    ok($c->wait_until(5, sub {
        my $text = GwCluster::slurp($snapshot);
        return $text =~ /^GWSNAP1 / && (() = $text =~ /"name":"cold\d"/g) == @routes;
    }), "node 2 wrote every route to $snapshot");
};

subtest 'node 2 stops, then PostgreSQL' => sub {
    ok(eval { $c->node_stop(2); 1 }, 'node 2 stopped') or diag($@);
    ok(!$c->node(2)->{running}, 'node 2 is not running');
    ok(eval { $c->pg_stop; 1 }, 'PostgreSQL stopped (script/pg stop)') or diag($@);
    ok(!$c->pg_running, 'PostgreSQL is not running');
    ok(-s $snapshot, 'the last-known-good file is still there');
};

my $log_from = $c->log_size(2);

subtest 'node 2 starts without the database and serves its snapshot' => sub {
    my $ok = eval { $c->node_start(2); 1 };
    ok($ok, 'node 2 started while PostgreSQL is down') or return diag($@);
    # no waiting: children never start empty when the file exists
    for my $r (@routes) {
        ok($c->serves(2, "/$r/hello.txt"), "node 2 proxies /$r at once");
    }
    is($c->proxy(2, '/nowhere')->code, 404, 'an unknown path is still 404');
    my $line = $c->wait_log(2, qr/GW00138/, 5, $log_from);
    ok($line, 'node 2 logs GW00138') or return;
    like($line, qr/last-known-good configuration from \Q$snapshot\E until the database answers/,
         'naming the file');
    my ($st, $body) = $c->admin(2, GET => '/status');
    is($st, 200, '/status answers');
    is($body && $body->{configuration} && $body->{configuration}{source}, 'file',
       'configuration.source is "file"');
    is($body && $body->{configuration} && $body->{configuration}{routes}, scalar @routes,
       'with every route');
    ok($body && $body->{database} && !$body->{database}{reachable},
       'database.reachable is false');
    ok($c->wait_log(2, qr/GW00131/, 10, $log_from), 'node 2 logs GW00131 (database unreachable)');
    ok($c->serves(1, "/$routes[0]/hello.txt"), 'node 1 keeps proxying too');
    my ($wst) = $c->admin(2, POST => '/services/echo/routes',
                          { name => 'never', paths => ['/never'] });
    is($wst, 503, 'a write on node 2 is refused with 503');
};

subtest 'PostgreSQL comes back: node 2 catches up' => sub {
    my $ok = eval { $c->pg_start; 1 };
    ok($ok, 'PostgreSQL started (script/pg start)') or return diag($@);
    my $back = time;
    my ($st, $res);
    my $written = $c->wait_until(15, sub {
        ($st, undef, $res) = $c->admin(1, POST => '/services/echo/routes',
                                       { name => 'warm', paths => ['/warm'] });
        return $st == 201;
    }, 0.25);
    ok($written, 'a write on node 1 succeeds')
        or return diag('last answer: ' . $res->status_line . ' ' . $res->content);
    my $seen = $c->wait_until(10, sub { $c->serves(2, '/warm/hello.txt') }, 0.01);
    ok($seen, 'node 2 proxies the route written after the outage') or return;
    my $s = $seen - $written;
    cmp_ok($s, '<', 7, sprintf('within 7 s of the write (%.2f s)', $s));
    diag(sprintf('cold-started node 2 proxied the new route %.2f s after the '
                 . 'write, %.2f s after PostgreSQL started', $s, $seen - $back));
    ok($c->wait_log(2, qr/GW00132/, 10, $log_from), 'node 2 logs GW00132');
    my (undef, $body) = $c->admin(2, GET => '/status');
    is($body && $body->{configuration} && $body->{configuration}{source}, 'database',
       'configuration.source is "database" again');
    ok($body && $body->{database} && $body->{database}{reachable}, 'database.reachable is true');
    for my $r (@routes) {
        ok($c->serves(2, "/$r/hello.txt"), "node 2 still proxies /$r");
    }
};

subtest 'later writes reach node 2 within a second' => sub {
    my ($st) = $c->admin(1, POST => '/services/echo/routes',
                         { name => 'later', paths => ['/later'] });
    my $acked = time;
    is($st, 201, 'write on node 1');
    my $seen = $c->wait_until(5, sub { $c->serves(2, '/later/hello.txt') }, 0.002);
    ok($seen, 'node 2 proxies it') or return;
    my $ms = ($seen - $acked) * 1000;
    cmp_ok($ms, '<', 1000, sprintf('within 1 s (%.0f ms)', $ms));
};

$c->finish;
done_testing;
