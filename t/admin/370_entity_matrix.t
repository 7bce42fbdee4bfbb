# Every entity type of the Admin API through the same motions
# (kong-behaviour.md §1.3–§1.5): create three, read one back by id, list
# them in pages of two that add up, filter by tag, find them in /tags,
# update one with PATCH, replace one with PUT, and delete it. The
# entity-specific rules live in the other t/admin files; this one makes
# sure no entity type misses the common ones.
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

reset_db();

sub pem { GwAdmin::slurp_file("t/fixtures/pem/$_[0]") }

my (undef, $svc)  = api_post('/services', { name => 'm-svc', host => 'm.test' });
my (undef, $cons) = api_post('/consumers', { username => 'm-cons' });
my (undef, $cert) = api_post('/certificates', { cert => pem('rsa.crt'), key => pem('rsa.key') });
my (undef, $up)   = api_post('/upstreams', { name => 'm-up' });
my @cas = map { pem($_) } qw(ca.crt ca2.crt ca3.crt);
my %plugin_for = (1 => 'cors', 2 => 'correlation-id', 3 => 'bot-detection');

# path => [ body for entity N, a PATCH body, the field it changes ]
my @ENTITIES = (
    [ '/services',        sub { { name => "svc$_[0]", host => "h$_[0].test" } }, { retries => 2 }, 'retries' ],
    [ '/routes',          sub { { name => "rt$_[0]", paths => ["/m$_[0]"], service => { id => $svc->{id} } } },
      { strip_path => JSON::PP::false }, 'strip_path' ],
    [ '/consumers',       sub { { username => "c$_[0]" } }, { custom_id => 'x' }, 'custom_id' ],
    [ '/upstreams',       sub { { name => "u$_[0].test" } }, { slots => 100 }, 'slots' ],
    [ '/certificates',    sub { { cert => pem('ec.crt'), key => pem('ec.key') } }, { cert_alt => undef }, 'cert_alt' ],
    [ '/snis',            sub { { name => "s$_[0].test", certificate => { id => $cert->{id} } } },
      { name => 'renamed.test' }, 'name' ],
    [ '/ca_certificates', sub { { cert => $cas[ $_[0] - 1 ] } }, { tags => ['t', 'more'] }, 'tags' ],
    [ '/plugins',         sub { { name => $plugin_for{ $_[0] } } }, { enabled => JSON::PP::false }, 'enabled' ],
    [ '/key-auths',       sub { { key => "key$_[0]", consumer => { id => $cons->{id} } } }, { key => 'other' }, 'key' ],
    [ '/basic-auths',     sub { { username => "b$_[0]", password => 'p', consumer => { id => $cons->{id} } } },
      { username => 'bb' }, 'username' ],
    [ '/hmac-auths',      sub { { username => "h$_[0]", consumer => { id => $cons->{id} } } }, { secret => 's' }, 'secret' ],
    [ '/jwts',            sub { { key => "j$_[0]", consumer => { id => $cons->{id} } } }, { secret => 's' }, 'secret' ],
    [ '/acls',            sub { { group => "g$_[0]", consumer => { id => $cons->{id} } } }, { group => 'gg' }, 'group' ],
);

plan tests => scalar @ENTITIES, need_lwp;

for my $e (@ENTITIES) {
    my ($path, $make, $patch, $field) = @$e;
    subtest $path => sub {
        my $tag = 'm' . substr($path, 1, 3) . 'x';
        $tag =~ s/[^a-z]//g;
        my @made;
        for my $i (1 .. 3) {
            my ($st, $b) = api_post($path, { %{ $make->($i) }, tags => [ 't', $i == 2 ? $tag : () ] });
            is($st, 201, "create $i") or diag(json_enc($b));
            push @made, $b;
        }
        my ($st, $b) = api_get("$path/$made[0]{id}");
        is($b->{id}, $made[0]{id}, 'read by id');
        my @seen;
        ($st, $b) = api_get("$path?size=2&tags=t");
        is(scalar @{ $b->{data} }, 2, 'first page of two');
        push @seen, @{ $b->{data} };
        ($st, $b) = api_get($b->{next}) if $b->{next};
        push @seen, @{ $b->{data} };
        is_deeply([ sort map { $_->{id} } @seen ], [ sort map { $_->{id} } @made ], 'pages add up');
        ($st, $b) = api_get("$path?tags=$tag");
        is_deeply([ map { $_->{id} } @{ $b->{data} } ], [ $made[1]{id} ], 'tag filter');
        ($st, $b) = api_get("/tags/$tag");
        is($b->{data}[0]{entity_id}, $made[1]{id}, '/tags/{tag}');
        ($st, $b) = api_patch("$path/$made[1]{id}", $patch);
        is($st, 200, 'PATCH') or diag(json_enc($b));
        is_deeply($b->{$field}, $patch->{$field}, "PATCH changed $field");
        my $body = $make->(3);
        ($st, $b) = api_put("$path/$made[2]{id}", $body);
        is($st, 200, 'PUT by id') or diag(json_enc($b));
        is($b->{id}, $made[2]{id}, 'PUT keeps the id');
        ($st) = api_delete("$path/$made[0]{id}");
        is($st, 204, 'DELETE');
        ($st) = api_get("$path/$made[0]{id}");
        is($st, 404, 'gone');
    };
}
