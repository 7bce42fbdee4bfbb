# A service's retries and timeouts (kong-behaviour.md §2.1, §3.9, §3.10):
# `retries` extra attempts on connection errors and timeouts (not on HTTP
# statuses), read timeouts from the service, and changes to them live
# without a restart.
#
# Attempts are counted where they can be seen honestly: connections and
# requests the upstream logged, and for a port nobody listens on, the
# connect failures mod_proxy logs (AH00957, one line per attempt, naming
# the address).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use IO::Socket::INET ();
use Time::HiRes ();
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 7, need_lwp;

reset_db();

my $closed_port = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1) or die $!;
    my $p = $s->sockport;
    close $s;
    $p;
};

for my $n (0, 1, 3) {
    my $s = make_service(host => '127.0.0.1', port => $closed_port, retries => $n,
                         # distinct timeouts: a worker of its own per service
                         connect_timeout => 2000 + $n);
    make_route(hosts => ["closed$n.retry.test"], service => { id => $s->{id} });
}

# upstreams that reset the first connections they accept, before reading
my $flaky5 = GwUpstream->start(reset_connections => 2);
my $flaky0 = GwUpstream->start(reset_connections => 1);
my $s5 = make_service(host => '127.0.0.1', port => $flaky5->port, retries => 5);
my $s0 = make_service(host => '127.0.0.1', port => $flaky0->port, retries => 0);
make_route(hosts => ['reset5.retry.test'], service => { id => $s5->{id} });
make_route(hosts => ['reset0.retry.test'], service => { id => $s0->{id} });

# read timeouts, with and without retries
my $up = GwUpstream->start;
my %slow;
for my $n (0, 1) {
    $slow{$n} = make_service(host => '127.0.0.1', port => $up->port, retries => $n,
                             read_timeout => 300, write_timeout => 300);
    make_route(hosts => ["slow$n.retry.test"], service => { id => $slow{$n}{id} });
}
my $ok_svc = make_service(host => '127.0.0.1', port => $up->port, retries => 3);
make_route(hosts => ['status.retry.test'], service => { id => $ok_svc->{id} });

sync_proxy();

subtest 'connection refused: 1 + retries connect attempts, then 502' => sub {
    for my $n (0, 1, 3) {
        my $off = error_log_offset();
        my $res = proxy(GET => '/x', host => "closed$n.retry.test");
        is($res->code, 502, "retries=$n: 502");
        # the line is written before the response; allow for log buffering
        my $attempts = 0;
        wait_until(sub {
            $attempts = () = error_log_since($off)
                =~ /AH00957: [^\n]*127\.0\.0\.1:\Q$closed_port\E\b/g;
            $attempts >= $n + 1;
        }, 2);
        is($attempts, $n + 1, "retries=$n: " . ($n + 1) . ' connect attempts');
    }
};

subtest 'a connection reset before any answer is retried (GET)' => sub {
    my $res = proxy(GET => '/x', host => 'reset5.retry.test');
    is($res->code, 200, 'retries=5, two resets: the third connection answers');
    is($flaky5->stats->{connections}, 3, 'the upstream accepted 3 connections');
    is($flaky5->stats->{requests}, 1, 'and answered 1 request');
};

subtest 'retries=0: the reset reaches the client as 502, once' => sub {
    my $res = proxy(GET => '/x', host => 'reset0.retry.test');
    is($res->code, 502, 'status 502');
    is($flaky0->stats->{connections}, 1, 'one connection');
    $res = proxy(GET => '/x', host => 'reset0.retry.test');
    is($res->code, 200, 'the next request gets a working connection');
};

subtest 'read timeouts are retried too' => sub {
    for my $n (0, 1) {
        my $t0 = Time::HiRes::time();
        my $res = proxy(GET => "/delay/1000?svc=slow$n", host => "slow$n.retry.test");
        my $took = Time::HiRes::time() - $t0;
        is($res->code, 504, "retries=$n: 504");
        my $tries = () = $up->requests_for(qr{^/delay/1000\?svc=slow$n$});
        is($tries, $n + 1, "retries=$n: the upstream got " . ($n + 1) . ' request(s)');
        cmp_ok($took, '<', 0.3 * ($n + 1) + 0.9,
               sprintf('retries=%d: answered after %.2f s', $n, $took));
    }
};

subtest 'HTTP error statuses are not retried' => sub {
    my $before = () = $up->requests_for(qr{^/status/503\?fine$});
    my $res = proxy(GET => '/status/503?fine', host => 'status.retry.test');
    is($res->code, 503, "the upstream's 503 reaches the client");
    my $after = () = $up->requests_for(qr{^/status/503\?fine$});
    is($after - $before, 1, 'the upstream was asked once (retries=3)');
    $before = () = $up->requests_for(qr{^/status/500\?fine$});
    proxy(GET => '/status/500?fine', host => 'status.retry.test');
    $after = () = $up->requests_for(qr{^/status/500\?fine$});
    is($after - $before, 1, '500: once');
};

subtest 'a new read_timeout is live without a restart' => sub {
    my $res = proxy(GET => '/delay/700', host => 'slow0.retry.test');
    is($res->code, 504, 'read_timeout 300 ms: a 700 ms answer times out');
    my ($st) = api_patch("/services/$slow{0}{id}",
                         { read_timeout => 3000, write_timeout => 3000 });
    is($st, 200, 'PATCH read_timeout and write_timeout to 3000');
    sync_proxy();
    $res = proxy(GET => '/delay/700', host => 'slow0.retry.test');
    is($res->code, 200, 'now the 700 ms answer is proxied');
    ($st) = api_patch("/services/$slow{0}{id}",
                      { read_timeout => 300, write_timeout => 300 });
    sync_proxy();
    $res = proxy(GET => '/delay/700', host => 'slow0.retry.test');
    is($res->code, 504, 'and back to 300 ms');
};

subtest 'a new retries value is live without a restart' => sub {
    my $s = make_service(host => '127.0.0.1', port => $closed_port, retries => 0,
                         connect_timeout => 2100);
    make_route(hosts => ['patched.retry.test'], service => { id => $s->{id} });
    sync_proxy();
    my $log = '';
    my $count = sub {
        my $want = shift;
        my $off = error_log_offset();
        proxy(GET => '/x', host => 'patched.retry.test');
        my $n = 0;
        wait_until(sub {
            $n = () = error_log_since($off)
                =~ /AH00957: [^\n]*127\.0\.0\.1:\Q$closed_port\E\b/g;
            $n >= $want;
        }, 1);
        $log = join "\n", grep { /proxy/ } split /\n/, error_log_since($off);
        return $n;
    };
    is($count->(1), 1, 'retries=0: one attempt') or diag $log;
    api_patch("/services/$s->{id}", { retries => 2 });
    sync_proxy();
    is($count->(3), 3, 'after PATCH retries=2: three attempts') or diag $log;
};
