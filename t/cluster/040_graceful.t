# `apache2 -k graceful` on a node under light traffic: no request fails
# while the children are replaced (the new generation starts from the
# last-known-good file, then its refresher takes over), the old children
# go away, and writes keep propagating to the restarted node.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use GwCluster;

my $c = GwCluster->start(nodes => 2);

subtest 'a route on both nodes' => sub {
    my ($st) = $c->admin(1, POST => '/services',
                         { name => 'echo', url => $c->upstream_url });
    is($st, 201, 'service created');
    ($st) = $c->admin(1, POST => '/services/echo/routes',
                      { name => 'g', paths => ['/g'] });
    is($st, 201, 'route created');
    for my $k (1, 2) {
        ok($c->wait_until(5, sub { $c->serves($k, '/g/hello.txt') }),
           "node$k proxies /g");
    }
    ok($c->wait_until(5, sub { -s $c->node(1)->{snapshot} }),
       'node 1 saved its last-known-good file');
};

my $parent = $c->node(1)->{pid};
my @old = $c->children(1);
my $log_from = $c->log_size(1);
my $graceful_done;

subtest 'two graceful restarts under traffic' => sub {
    ok(scalar @old, 'node 1 has children: ' . join ' ', @old);
    my $traffic = $c->traffic(1, '/g/hello.txt', 30, 2);
    sleep 1;
    my $ok = eval { $c->node_graceful(1); 1 };
    ok($ok, 'first apache2 -k graceful') or diag($@);
    sleep 1.5;
    push @old, $c->children(1);   # the first and the second generation
    $ok = eval { $c->node_graceful(1); 1 };
    ok($ok, 'second apache2 -k graceful') or diag($@);
    $graceful_done = time;
    sleep 1.5;
    my ($n, $fail, @first) = $c->traffic_end($traffic);
    cmp_ok($n, '>=', 50, "$n requests through node 1 meanwhile");
    is($fail, 0, 'none failed') or diag(join "\n", @first);
    diag("$n requests during two graceful restarts, $fail failed");
    my @restarts = grep { /AH00493/ } split /\n/, $c->log_text(1, $log_from);
    is(scalar @restarts, 2, 'node 1 logged two graceful restarts (AH00493)');
    is($c->node(1)->{pid}, $parent, 'the parent process stayed');
};

subtest 'the new generation follows the database' => sub {
    # after a graceful restart the node serves its last-known-good file
    # until the new generation's refresher has loaded from the database
    my $body;
    my $took = $c->wait_until(10, sub {
        (undef, $body) = $c->admin(1, GET => '/status');
        return $body && $body->{configuration}
            && ($body->{configuration}{source} // '') eq 'database';
    });
    ok($took, 'node 1 /status: configuration.source is "database" again')
        or return diag(explain($body));
    diag(sprintf('node 1 served from the database again %.1f s after the '
                 . 'last graceful restart (at the latest)', $took - $graceful_done));
    my @ms;
    for my $i (1 .. 3) {
        my ($st) = $c->admin(2, POST => '/services/echo/routes',
                             { name => "after$i", paths => ["/after$i"] });
        my $acked = time;
        is($st, 201, "route after$i written on node 2");
        my $seen = $c->wait_until(5, sub { $c->serves(1, "/after$i/hello.txt") }, 0.002);
        ok($seen, "node 1 proxies /after$i") or next;
        push @ms, ($seen - $acked) * 1000;
    }
    my @sorted = sort { $a <=> $b } @ms;
    cmp_ok($sorted[-1] // 1e9, '<', 1000, 'each within 1 s');
    diag('propagation node2 -> node1 after the graceful restarts (ms): '
         . join ' ', map { sprintf '%.0f', $_ } @ms);
    ok($c->serves(1, '/g/hello.txt'), 'and node 1 still proxies /g');
};

subtest 'the old children exit' => sub {
    my %old = map { $_ => 1 } @old;
    my @left;
    my $gone = $c->wait_until(15, sub {
        @left = grep { $old{$_} } $c->children(1);
        return !@left;
    }, 0.2);
    ok($gone, 'no child of the earlier generations is left after 15 s')
        or diag('still running: ' . join ' ', @left);
    my @now = $c->children(1);
    ok(scalar @now, 'node 1 has new children: ' . join ' ', @now);
};

$c->finish;
done_testing;
