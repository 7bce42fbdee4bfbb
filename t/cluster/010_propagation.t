# Propagation: a write on one node's Admin API is live on the other node's
# proxy within a second (LISTEN/NOTIFY; DESIGN.md "Cluster"). Two nodes on
# one PostgreSQL, started as processes by script/cluster.
#
# A propagation time runs from the moment node 1 has acknowledged the write
# (201: committed, NOTIFY sent) until node 2 first proxies the new route to
# the upstream. The end-to-end time, from sending the write, is reported
# too; it adds the write itself, which depends on the machine's load more
# than on the cluster. Polling every 2 ms bounds the measuring error.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time);
use GwCluster;

my $WRITES = 20;

my $c = GwCluster->start(nodes => 2);

my ($st) = $c->admin(1, POST => '/services',
                     { name => 'echo', url => $c->upstream_url });
is($st, 201, 'service created on node 1') or BAIL_OUT('no service');

sub median {
    my @v = sort { $a <=> $b } @_;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub ms { join ' ', map { sprintf '%.0f', $_ } @_ }

# propagate(FROM, TO, NAME): creates route NAME (path /NAME) on node FROM's
# Admin API; returns the milliseconds from the acknowledgement and from
# the request until node TO proxies it (undef when it did not within 5 s).
sub propagate {
    my ($from, $to, $name) = @_;
    my $t0 = time;
    my ($st, $body, $res) = $c->admin($from, POST => '/services/echo/routes',
                                      { name => $name, paths => ["/$name"] });
    my $acked = time;
    if ($st != 201) {
        diag("POST route $name on node$from: " . $res->status_line . ' '
             . $res->content);
        return;
    }
    my $seen = $c->wait_until(5, sub { $c->serves($to, "/$name/hello.txt") },
                              0.002) or return;
    return (($seen - $acked) * 1000, ($seen - $t0) * 1000);
}

subtest 'first write: node 1 Admin API -> node 2 proxy' => sub {
    ok(!$c->serves(2, '/first/hello.txt'), 'node 2 does not serve /first yet');
    my ($ms, $total) = propagate(1, 2, 'first');
    ok(defined $ms, 'node 2 proxies the new route') or return;
    cmp_ok($ms, '<', 1000, sprintf('within 1 s of the acknowledgement (%.0f ms)', $ms));
    diag(sprintf('propagation node1 -> node2, first write: %.0f ms '
                 . '(%.0f ms from sending the write)', $ms, $total));
    ok($c->wait_until(1, sub { $c->serves(1, '/first/hello.txt') }, 0.002),
       'node 1 proxies it too, within 1 s');
};

subtest "$WRITES writes: node 1 -> node 2" => sub {
    my (@ms, @total, @lost);
    for my $i (1 .. $WRITES) {
        my ($ms, $total) = propagate(1, 2, "p$i");
        if (defined $ms) {
            push @ms, $ms;
            push @total, $total;
        }
        else {
            push @lost, "p$i";
        }
    }
    is_deeply(\@lost, [], 'every write reached node 2 within 5 s');
    return unless @ms;
    my @sorted = sort { $a <=> $b } @ms;
    diag(sprintf('propagation node1 -> node2 over %d writes: median %.0f ms, '
                 . 'min %.0f ms, max %.0f ms; from sending the write: '
                 . 'median %.0f ms', scalar @ms, median(@ms), $sorted[0],
                 $sorted[-1], median(@total)));
    diag('each (ms): ' . ms(@ms));
    cmp_ok(median(@ms), '<', 1000, 'median under 1 s');
    cmp_ok($sorted[-1], '<', 1000, 'every write under 1 s');
};

subtest 'the other way: node 2 Admin API -> node 1 proxy' => sub {
    my ($ms, $total) = propagate(2, 1, 'back');
    ok(defined $ms, 'node 1 proxies the route written on node 2') or return;
    cmp_ok($ms, '<', 1000, sprintf('within 1 s (%.0f ms)', $ms));
    diag(sprintf('propagation node2 -> node1: %.0f ms (%.0f ms from sending '
                 . 'the write)', $ms, $total));
};

subtest 'a delete on node 2 stops both nodes from proxying' => sub {
    ok($c->serves(1, '/p1/hello.txt'), 'node 1 serves /p1');
    my ($st) = $c->admin(2, DELETE => '/routes/p1');
    my $acked = time;
    is($st, 204, 'DELETE /routes/p1 on node 2');
    my $gone = $c->wait_until(5, sub {
        $c->proxy(1, '/p1/hello.txt')->code == 404
            && $c->proxy(2, '/p1/hello.txt')->code == 404;
    }, 0.002);
    ok(defined $gone, 'both nodes answer 404 for /p1') or return;
    my $ms = ($gone - $acked) * 1000;
    cmp_ok($ms, '<', 1000, sprintf('within 1 s (%.0f ms)', $ms));
    ok($c->serves(1, '/p2/hello.txt') && $c->serves(2, '/p2/hello.txt'),
       'the other routes stay');
};

subtest 'both nodes report the same configuration' => sub {
    for my $k (1, 2) {
        my ($st, $body) = $c->admin($k, GET => '/status');
        is($st, 200, "node$k /status");
        my $conf = $body && $body->{configuration} || {};
        is($conf->{source}, 'database', "node$k serves the database's configuration");
        is($conf->{routes}, $WRITES + 1, "node$k has every route (first, p2..p$WRITES, back)");
        is($conf->{services}, 1, "node$k has the one service");
    }
};

$c->finish;
done_testing;
