# Upstream connections are pooled and reused (DESIGN.md §3: a route whose
# upstream has no pooled worker is a bug; kong-behaviour.md Appendix A:
# upstream keep-alive), across requests, clients and configuration
# changes, and a connection the upstream closed is replaced without
# failing a request.
#
# The bound used below: every httpd child keeps its own pool per upstream,
# and a child never needs more connections at once than requests it is
# proxying at once. So with N concurrent clients and C children the upstream
# can see at most N * C connections over any number of requests (at most C
# with one client), however many requests are made; without pooling it
# sees one per request.
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use LWP::UserAgent ();
use POSIX ();
use Time::HiRes ();
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 6, need_lwp;

reset_db();
my $up = GwUpstream->start;
my $svc = make_service(host => $up->host, port => $up->port);
make_route(hosts => ['ka.test'], service => { id => $svc->{id} });

my $short = GwUpstream->start(idle_timeout => 1);
my $svc_short = make_service(host => $short->host, port => $short->port);
make_route(hosts => ['short.ka.test'], service => { id => $svc_short->{id} });

sync_proxy();

my $children = () = httpd_children();
diag "httpd runs $children children";

# clients(N, M, HOST): N processes, each making M keep-alive requests; returns
# how many requests got a 200 with the upstream echo.
sub clients {
    my ($n, $m, $host) = @_;
    my @pids;
    pipe my $r, my $w or die $!;
    for my $i (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
            my $good = 0;
            for my $j (1 .. $m) {
                my $res = $ua->get('http://' . GwProxy::vhost_hostport()
                                   . "/c$i/r$j", Host => $host);
                $good++ if $res->code == 200 && GwUpstream->echo($res);
            }
            syswrite $w, "$good\n";
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    close $w;
    my $good = 0;
    while (my $line = <$r>) { $good += $line }
    waitpid $_, 0 for @pids;
    return $good;
}

subtest 'one client, sequential requests: at most one connection per child' => sub {
    my $before = $up->stats;
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
    my (%conn, $good, $reused);
    for my $j (1 .. 30) {
        my $res = $ua->get('http://' . GwProxy::vhost_hostport() . "/seq/$j",
                           Host => 'ka.test');
        my $e = GwUpstream->echo($res) or next;
        $good++;
        $conn{ $e->{conn_id} }++;
        $reused++ if $e->{request_no} > 1;
    }
    my $after = $up->stats;
    my $opened = $after->{connections} - $before->{connections};
    is($good, 30, '30 requests answered');
    is($after->{requests} - $before->{requests}, 30, 'the upstream saw 30 requests');
    cmp_ok($opened, '<=', $children,
           "over $opened connection(s): at most one per child ($children)");
    cmp_ok($reused // 0, '>=', 30 - $children, 'requests on reused connections');
};

subtest 'concurrent clients: connections bounded by clients x children' => sub {
    my ($n, $m) = (4, 25);
    my $before = $up->stats;
    my $good = clients($n, $m, 'ka.test');
    my $after = $up->stats;
    my $kids = () = httpd_children();
    my $c = $kids > $children ? $kids : $children;
    my $opened = $after->{connections} - $before->{connections};
    is($good, $n * $m, "$n clients x $m requests answered");
    is($after->{requests} - $before->{requests}, $n * $m, 'all reached the upstream');
    cmp_ok($opened, '<=', $n * $c,
           "$opened new connections for " . $n * $m . " requests (bound $n x $c children)");
};

subtest 'configuration changes keep the pools' => sub {
    my $before = $up->stats;
    for my $round (1 .. 3) {
        make_route(hosts => ["unrelated$round.ka.test"], service => { id => $svc->{id} });
        sync_proxy();
        my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
        $ua->get('http://' . GwProxy::vhost_hostport() . "/cfg/$round/$_",
                 Host => 'ka.test') for 1 .. 5;
    }
    my $opened = $up->stats->{connections} - $before->{connections};
    cmp_ok($opened, '<=', $children,
           "3 configuration changes, 15 requests, $opened new connection(s) (bound $children)");
};

subtest 'a pooled connection the upstream closed is replaced, not an error' => sub {
    my $ua = LWP::UserAgent->new(keep_alive => 0, timeout => 30);
    my $url = 'http://' . GwProxy::vhost_hostport() . '/idle';
    my @codes;
    # fill the pools, wait until the upstream drops them (1 s idle), again
    push @codes, $ua->get("$url/a/$_", Host => 'short.ka.test')->code for 1 .. 6;
    my $before = $short->stats->{connections};
    Time::HiRes::sleep(2.1);
    push @codes, $ua->get("$url/b/$_", Host => 'short.ka.test')->code for 1 .. 6;
    is_deeply(\@codes, [ (200) x 12 ], 'every request answered 200')
        or diag "statuses: @codes";
    cmp_ok($short->stats->{connections}, '>', $before,
           'new connections replaced the closed ones');
};

subtest 'the upstream answering Connection: close is not reused' => sub {
    # /close answers with Connection: close and closes; the requests in
    # between must not be sent on those connections
    my @codes;
    for (1 .. 5) {
        push @codes, proxy(GET => "/close/$_", host => 'ka.test')->code;
        push @codes, proxy(GET => "/after-close/$_", host => 'ka.test')->code;
    }
    is_deeply(\@codes, [ (200) x 10 ], 'all 200') or diag "statuses: @codes";
    my %closed = map { $_->{conn} => 1 } $up->requests_for(qr{^/close/});
    is(scalar(keys %closed), 5, 'each /close was on a connection of its own');
};

subtest 'a client keep-alive connection survives an upstream failure' => sub {
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
    my $base = 'http://' . GwProxy::vhost_hostport();
    my @res = map { $ua->get("$base$_", Host => 'ka.test') }
        ('/first', '/reset/x', '/after');
    my @codes = map { $_->code } @res;
    diag 'the second response: ' . $res[1]->status_line . ' '
        . ($res[1]->header('Client-Warning') // '') if $codes[1] != 502;
    is($codes[0], 200, 'first request 200');
    is($codes[1], 502, 'the upstream reset: a 502 response, not a dropped connection');
    is($codes[2], 200, 'the next request on a keep-alive client connection works');
};
