# A database outage: while PostgreSQL is down both nodes keep proxying the
# routes they have, Admin API writes answer 503 with a JSON message and
# /status says the database is unreachable; when it comes back the nodes
# reconnect by themselves (no httpd restart) and writes propagate again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use GwCluster;

my $c = GwCluster->start(nodes => 2);
my $started = time;
my %pid = map { $_ => $c->node($_)->{pid} } $c->nodes;
my %log_from = map { $_ => $c->log_size($_) } $c->nodes;

subtest 'routes before the outage' => sub {
    my ($st) = $c->admin(1, POST => '/services',
                         { name => 'echo', url => $c->upstream_url });
    is($st, 201, 'service created');
    for my $r (qw(keep1 keep2)) {
        ($st) = $c->admin(1, POST => '/services/echo/routes',
                          { name => $r, paths => ["/$r"] });
        is($st, 201, "route $r created");
    }
    for my $k (1, 2) {
        ok($c->wait_until(5, sub { $c->serves($k, '/keep2/hello.txt') }),
           "node$k proxies the routes");
    }
};

# the refresher reports an outage only once its child is 2 s old
sleep(3 - (time - $started)) if time - $started < 3;

my $stopped = eval { $c->pg_stop; 1 };
ok($stopped, 'PostgreSQL stopped (script/pg stop)') or diag($@);
ok(!$c->pg_running, 'PostgreSQL is not running');

subtest 'both nodes keep proxying while the database is down' => sub {
    # long enough for both refreshers to notice the outage meanwhile
    my ($n, @fail) = (0);
    my $end = time + 3;
    while (time < $end) {
        for my $k (1, 2) {
            for my $path ('/keep1/hello.txt', '/keep2/hello.txt') {
                $n++;
                push @fail, "node$k $path" unless $c->serves($k, $path);
            }
        }
        sleep 0.05;
    }
    cmp_ok($n, '>=', 20, "$n proxied requests");
    is_deeply(\@fail, [], 'none failed');
    for my $k (1, 2) {
        is($c->proxy($k, '/nowhere')->code, 404, "node$k: unknown path still 404");
    }
};

subtest 'the refreshers notice' => sub {
    for my $k (1, 2) {
        my $line = $c->wait_log($k, qr/GW00131/, 10, $log_from{$k});
        ok($line, "node$k logs GW00131") or next;
        like($line, qr/keeps serving its current configuration/, 'and says it keeps serving');
    }
};

subtest 'Admin API writes answer 503 with a JSON message' => sub {
    my @writes = (
        [ 1, POST   => '/services', { name => 'down', host => 'down.test' } ],
        [ 2, POST   => '/services/echo/routes', { name => 'down', paths => ['/down'] } ],
        [ 1, PATCH  => '/routes/keep1', { paths => ['/changed'] } ],
        [ 2, DELETE => '/routes/keep2' ],
    );
    for my $w (@writes) {
        my ($k, $method, $path, $request) = @$w;
        my $what = "node$k $method $path";
        my $t0 = time;
        my ($st, $body, $res) = $c->admin($k, $method, $path, $request);
        is($st, 503, "$what: 503");
        like($res->header('Content-Type') // '', qr{^application/json}, "$what: JSON");
        ok(ref $body eq 'HASH' && defined $body->{message} && length $body->{message},
           "$what: has a message") or diag($res->content);
        cmp_ok(time - $t0, '<', 10, "$what: answered without hanging");
    }
};

subtest '/status says the database is unreachable' => sub {
    for my $k (1, 2) {
        my ($st, $body) = $c->admin($k, GET => '/status');
        is($st, 200, "node$k /status answers 200");
        ok($body && $body->{database} && !$body->{database}{reachable},
           "node$k: database.reachable is false")
            or diag(explain($body));
        ok($body && $body->{configuration}
               && !$body->{configuration}{refresher_database_reachable},
           "node$k: the refresher knows too");
    }
};

subtest 'still proxying after the failed writes' => sub {
    for my $k (1, 2) {
        ok($c->serves($k, '/keep1/hello.txt'), "node$k /keep1 (PATCH did not apply)");
        ok($c->serves($k, '/keep2/hello.txt'), "node$k /keep2 (DELETE did not apply)");
        is($c->proxy($k, '/down/hello.txt')->code, 404, "node$k: no /down route");
    }
};

subtest 'PostgreSQL comes back: nodes reconnect without a restart' => sub {
    my $ok = eval { $c->pg_start; 1 };
    ok($ok, 'PostgreSQL started (script/pg start)') or diag($@);
    my $back = time;
    my ($i, $st, $res) = (0);
    my $written = $c->wait_until(15, sub {
        $i++;
        ($st, undef, $res) = $c->admin(1, POST => '/services/echo/routes',
                                       { name => 'after', paths => ['/after'] });
        return $st == 201;
    }, 0.25);
    ok($written, "a write on node 1 succeeds (attempt $i)")
        or return diag('last answer: ' . $res->status_line . ' ' . $res->content);
    diag(sprintf('node 1 accepted a write %.1f s after PostgreSQL started',
                 $written - $back));
    for my $k (1, 2) {
        my $seen = $c->wait_until(10, sub { $c->serves($k, '/after/hello.txt') }, 0.01);
        ok($seen, "node$k proxies the route written after the outage") or next;
        my $s = $seen - $written;
        cmp_ok($s, '<', 7, sprintf('node%d: within 7 s of the write (%.2f s)', $k, $s));
        diag(sprintf('node%d proxied the new route %.2f s after the write '
                     . '(%.2f s after PostgreSQL started)', $k, $s, $seen - $back));
    }
    for my $k (1, 2) {
        ok($c->wait_log($k, qr/GW00132/, 10, $log_from{$k}), "node$k logs GW00132");
        my ($st, $body) = $c->admin($k, GET => '/status');
        ok($body && $body->{database} && $body->{database}{reachable},
           "node$k: database.reachable is true again");
    }
    $c->status;
    is_deeply({ map { $_ => $c->node($_)->{pid} } $c->nodes }, \%pid,
              'the same httpd processes run (no restart)');
};

subtest 'after recovery, writes propagate within a second again' => sub {
    my @ms;
    for my $i (1 .. 5) {
        my $from = $i % 2 + 1;
        my ($st) = $c->admin($from, POST => '/services/echo/routes',
                             { name => "again$i", paths => ["/again$i"] });
        my $acked = time;
        is($st, 201, "write again$i on node$from");
        my $seen = $c->wait_until(5, sub {
            $c->serves(1, "/again$i/hello.txt") && $c->serves(2, "/again$i/hello.txt");
        }, 0.002);
        ok($seen, "again$i on both nodes") or next;
        push @ms, ($seen - $acked) * 1000;
    }
    my @sorted = sort { $a <=> $b } @ms;
    cmp_ok($sorted[-1] // 1e9, '<', 1000, 'every write on both nodes within 1 s');
    diag('propagation after recovery (ms): ' . join ' ', map { sprintf '%.0f', $_ } @ms);
};

$c->finish;
done_testing;
