# GET /upstreams/{u}/health (kong-behaviour.md §2.5, §2.6): the newest entry
# of each target with its health and resolved addresses, answered from
# what the node knows now (no probe has run, so enabled checks read
# HEALTHY, as Kong's targets start), and ?balancer_health=1.
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 6, need_lwp;

reset_db();

my (undef, $off) = api_post('/upstreams', { name => 'h-off' });
my (undef, $on)  = api_post('/upstreams', { name => 'h-on',
    healthchecks => { active => { healthy => { interval => 5 } } } });

api_post('/upstreams/h-off/targets', { target => '127.0.0.1:8001', weight => 100 });
api_post('/upstreams/h-off/targets', { target => '127.0.0.2:81', weight => 0 });
api_post('/upstreams/h-off/targets', { target => 'nowhere.invalid:80' });
api_post('/upstreams/h-on/targets', { target => '127.0.0.1:8002', weight => 10 });
# an older entry of the same address is not listed
api_post('/upstreams/h-on/targets', { target => '127.0.0.1:8003', weight => 1 });
api_put('/upstreams/h-on/targets/127.0.0.1:8003', { weight => 7 });

sub any_number { matches('a number', sub { defined $_[0] && !ref $_[0] && $_[0] =~ /\A[\d.]+\z/ }) }

sub by_target { return { map { $_->{target} => $_ } @{ $_[0]{data} || [] } } }

subtest 'targets without health checks read HEALTHCHECKS_OFF' => sub {
    my ($st, $b) = api_get('/upstreams/h-off/health');
    is($st, 200, '200');
    is($b->{node_id}, (api_get('/'))[1]{node_id}, 'node_id is this node');
    my $t = by_target($b);
    is(scalar keys %$t, 3, 'three targets');
    json_match($t->{'127.0.0.1:8001'}, {
        id => any_uuid(), created_at => any_number(), updated_at => any_number(), upstream => { id => $off->{id} },
        target => '127.0.0.1:8001', weight => 100, tags => undef, health => 'HEALTHCHECKS_OFF',
        data => { addresses => [ { ip => '127.0.0.1', port => 8001, health => 'HEALTHCHECKS_OFF', weight => 100 } ],
                  weight => { total => 100, available => 100, unavailable => 0 } } }, 'a target in full');
    is($t->{'127.0.0.2:81'}{health}, 'HEALTHCHECKS_OFF', 'weight 0 is listed, checks off');
    is($t->{'nowhere.invalid:80'}{health}, 'DNS_ERROR', 'a name that does not resolve');
    json_match($t->{'nowhere.invalid:80'}{data}, { addresses => [], weight => { total => 0, available => 0, unavailable => 0 } },
               'no addresses');
};

subtest 'enabled checks: targets start HEALTHY' => sub {
    my ($st, $b) = api_get('/upstreams/h-on/health');
    my $t = by_target($b);
    is($t->{'127.0.0.1:8002'}{health}, 'HEALTHY', 'healthy');
    is($t->{'127.0.0.1:8002'}{data}{addresses}[0]{health}, 'HEALTHY', 'its address too');
    is($t->{'127.0.0.1:8003'}{weight}, 7, 'the newest entry of an address');
};

subtest 'by name or id, paged like targets' => sub {
    my ($st, $b) = api_get("/upstreams/$off->{id}/health?size=2");
    is($st, 200, 'by id');
    is(scalar @{ $b->{data} }, 2, 'a page of two');
    like($b->{next} // '', qr{^/upstreams/\Q$off->{id}\E/health\?offset=}, 'next page link');
    my ($st2, $b2) = api_get($b->{next});
    is(scalar @{ $b2->{data} }, 1, 'the rest');
    is($b2->{next}, undef, 'no more');
};

subtest 'balancer_health' => sub {
    my ($st, $b) = api_get('/upstreams/h-off/health?balancer_health=1');
    is($st, 200, '200');
    json_match($b->{data}, { id => $off->{id}, health => 'HEALTHCHECKS_OFF', balancer_health => 'HEALTHCHECKS_OFF' },
               'checks off');
    (undef, $b) = api_get('/upstreams/h-on/health?balancer_health=1');
    is($b->{data}{health}, 'HEALTHY', 'checks on');
};

subtest 'unknown upstream and methods' => sub {
    expect('unknown', [ api_get('/upstreams/nope/health') ], 404, { message => 'Not found' });
    my ($st) = api_post('/upstreams/h-off/health', {});
    is($st, 405, 'POST is not allowed');
};

subtest '/endpoints lists it' => sub {
    my (undef, $b) = api_get('/endpoints');
    ok((grep { $_ eq '/upstreams/{upstreams}/health' } @{ $b->{data} }), 'listed');
};
