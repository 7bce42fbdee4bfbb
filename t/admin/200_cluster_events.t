# Every successful Admin API write inserts a cluster_events row, in the same
# transaction; reads and refused writes insert none (kong-behaviour.md §5.1,
# schema in §5.1 / §5.4).
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 5, need_lwp;

reset_db();

my (undef, $root) = api_get('/');
my $NODE = $root && $root->{node_id};

# Event ids seen so far; one query per check keeps the file fast.
my %known;

# The rows inserted since the previous call, each as a hash.
sub new_events {
    my @rows = sql_lines(q{id::text || '|' || node_id::text || '|' || coalesce(channel, '') || '|' ||
                           (expire_at > at)::text || '|' ||
                           (at > now() - interval '60 seconds' AND at < now() + interval '60 seconds')::text
                           || '|' || coalesce(data, '')},
                         'FROM cluster_events');
    my @new;
    for my $row (@rows) {
        my ($id, $node, $channel, $expire_ok, $at_ok, $data) = split /\|/, $row, 6;
        next if $known{$id}++;
        push @new, { id => $id, node_id => $node, channel => $channel, expire_after_at => $expire_ok,
                     at_is_now => $at_ok, data => $data };
    }
    return @new;
}
new_events();

# Runs CODE (one Admin API call), checks its status and the events it added.
sub write_adds_events {
    my ($name, $status, $code) = @_;
    my ($st, $b, $res) = $code->();
    my @ev = new_events();
    subtest $name => sub {
        status_is($res, $status, "status $status");
        cmp_ok(scalar @ev, '>=', 1, 'at least one cluster_events row inserted');
        for my $e (@ev) {
            is($e->{node_id}, $NODE, 'node_id is the node_id of GET /');
            # reference §5.1: entity changes go out on the "invalidations" channel
            is($e->{channel}, 'invalidations', 'channel');
            ok(length $e->{data}, 'data names what changed');
            is($e->{expire_after_at}, 'true', 'expire_at is after at');
            is($e->{at_is_now}, 'true', 'at is the time of the write');
        }
    };
    return $b;
}

sub adds_no_events {
    my ($name, $status, $code) = @_;
    new_events();
    my ($st, $b, $res) = $code->();
    my @ev = new_events();
    subtest $name => sub {
        status_is($res, $status, "status $status");
        is(scalar @ev, 0, 'no cluster_events row') or diag(join "\n", map { "$_->{channel} $_->{data}" } @ev);
    };
}

subtest 'the node has an id' => sub {
    like($NODE // '', qr/\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/, 'GET / node_id');
    ok(defined eval { sql_count('FROM cluster_events') }, 'cluster_events table readable');
};

subtest 'successful writes' => sub {
    my $s = write_adds_events('POST /services (JSON)', 201,
                              sub { api_post('/services', { name => 'ce-svc', host => 'ce.test' }) });
    write_adds_events('POST /services (form)', 201,
                      sub { api_post('/services', form => 'name=ce-form&host=ce.test') });
    write_adds_events('PUT /services/{name} (create)', 200,
                      sub { api_put('/services/ce-put', { host => 'ce.test' }) });
    write_adds_events('PUT /services/{name} (replace)', 200,
                      sub { api_put('/services/ce-put', { host => 'ce2.test' }) });
    write_adds_events('PATCH /services/{name}', 200,
                      sub { api_patch('/services/ce-svc', { retries => 1 }) });
    my $r = write_adds_events('POST /routes', 201,
                              sub { api_post('/routes', { name => 'ce-route', paths => [ '/ce' ],
                                                          service => { name => 'ce-svc' } }) });
    write_adds_events('POST /services/{s}/routes', 201,
                      sub { api_post('/services/ce-svc/routes', { name => 'ce-nested', paths => [ '/cen' ] }) });
    write_adds_events('PUT /routes/{id}', 200,
                      sub { api_put("/routes/$r->{id}", { name => 'ce-route', paths => [ '/ce2' ],
                                                          service => { id => $s->{id} } }) });
    write_adds_events('PATCH /routes/{name}', 200,
                      sub { api_patch('/routes/ce-route', { methods => [ 'GET' ] }) });
    write_adds_events('PATCH /routes/{r}/service', 200,
                      sub { api_patch('/routes/ce-route/service', { retries => 2 }) });
    write_adds_events('PUT /routes/{r}/service', 200,
                      sub { api_put('/routes/ce-route/service', { name => 'ce-svc', host => 'ce3.test' }) });
    write_adds_events('PATCH /services/{s}/routes/{r}', 200,
                      sub { api_patch('/services/ce-svc/routes/ce-nested', { hosts => [ 'h.test' ] }) });
    write_adds_events('DELETE /services/{s}/routes/{r}', 204,
                      sub { api_delete('/services/ce-svc/routes/ce-nested') });
    write_adds_events('DELETE /routes/{id}', 204, sub { api_delete("/routes/$r->{id}") });
    write_adds_events('DELETE /services/{name}', 204, sub { api_delete('/services/ce-svc') });
};

subtest 'reads add no event' => sub {
    api_post('/services', { name => 'ce-read', host => 'ce.test' });
    adds_no_events('GET /', 200, sub { api_get('/') });
    adds_no_events('GET /status', 200, sub { api_get('/status') });
    adds_no_events('GET /services', 200, sub { api_get('/services') });
    adds_no_events('GET /services/{name}', 200, sub { api_get('/services/ce-read') });
    adds_no_events('HEAD /services', 200, sub { api_head('/services') });
    adds_no_events('OPTIONS /services', 204, sub { api_options('/services') });
};

subtest 'refused writes add no event' => sub {
    my (undef, $s) = api_post('/services', { name => 'ce-ref', host => 'ce.test' });
    api_post('/services/ce-ref/routes', { paths => [ '/ref' ] });
    adds_no_events('schema violation', 400, sub { api_post('/services', { name => 'x y', host => 'ce.test' }) });
    adds_no_events('unique violation', 409, sub { api_post('/services', { name => 'ce-ref', host => 'ce.test' }) });
    adds_no_events('PATCH of an absent entity', 404, sub { api_patch('/services/ce-absent', { retries => 1 }) });
    adds_no_events('DELETE of a referenced service', 400, sub { api_delete('/services/ce-ref') });
    adds_no_events('unresolved foreign key', 400,
                   sub { api_post('/routes', { paths => [ '/x' ], service => { name => 'nope' } }) });
    adds_no_events('malformed JSON', 400, sub { api_post('/services', raw => '{', type => 'application/json') });
    adds_no_events('unsupported media type', 415, sub { api_post('/services', raw => 'x', type => 'text/plain') });
    adds_no_events('method not allowed', 405, sub { api_request('PUT', '/services', json => {}) });
    # reference silent: Kong's DAO returns before publishing anything when the
    # entity to delete does not exist.
    adds_no_events('DELETE of an absent entity (204)', 204, sub { api_delete('/services/ce-never') });
};

subtest 'events are not duplicated across writes' => sub {
    new_events();
    api_post('/services', { name => 'ce-a', host => 'ce.test' });
    my @one = new_events();
    api_post('/services', { name => 'ce-b', host => 'ce.test' });
    my @two = new_events();
    ok(@one >= 1 && @two >= 1, 'each write has its own events');
    my %seen;
    $seen{$_->{id}}++ for @one, @two;
    is(scalar(grep { $seen{$_} > 1 } keys %seen), 0, 'distinct event ids');
};
