package GwTest;

# GwTest: what every Apache::Test suite of mod_gateway shares and nothing
# entity-specific: where the Admin API listens, a JSON-speaking request
# helper, and control over the suite's own PostgreSQL (stop it, start it,
# run SQL against it) for outage tests.
#
# The database comes from the environment that script/test exports:
#   GW_PG_PORT  port on 127.0.0.1     GW_PG_HOME  sandbox folder (script/pg)
#   GW_PG_DB    database name (default gateway_test)
#   GW_PG_BIN   PostgreSQL binaries (default: psql on PATH)
# The helpers work as root (script/pg drops to the postgres user) and as
# the user that owns the cluster.

use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec ();
use File::Temp ();
use HTTP::Request ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();

our @EXPORT_OK = qw(
    admin_hostport admin_url admin_request json_body json_encode
    proxy_hostport proxy_url
    pg_stop pg_start pg_running psql root_dir
);

my $json = JSON::PP->new->utf8->canonical;

# root_dir: the repository root (t/lib/GwTest.pm is two levels below it).
sub root_dir {
    my $lib = dirname(File::Spec->rel2abs(__FILE__));
    return File::Spec->catdir($lib, File::Spec->updir, File::Spec->updir);
}

# admin_hostport: "host:port" of the Admin API vhost (<VirtualHost
# gateway_admin> in t/conf/extra.conf.in). Dies outside an Apache::Test run.
sub admin_hostport {
    require Apache::Test;
    my $vhost = Apache::Test::config()->{vhosts}{gateway_admin}
        or die "no gateway_admin vhost in the Apache::Test configuration\n";
    return $vhost->{hostport};
}

# admin_url($path): absolute URL of $path on the Admin API.
sub admin_url {
    my $path = shift // '/';
    $path = "/$path" unless $path =~ m{^/};
    return 'http://' . admin_hostport() . $path;
}

# proxy_hostport, proxy_url($path): the same for the main server, the
# proxy (Gateway On in t/conf/extra.conf.in).
sub proxy_hostport {
    require Apache::Test;
    return Apache::Test::config()->hostport;
}

sub proxy_url {
    my $path = shift // '/';
    $path = "/$path" unless $path =~ m{^/};
    return 'http://' . proxy_hostport() . $path;
}

my $ua;

# admin_request($method, $path, [$body], [%headers]): sends one request to
# the Admin API and returns the HTTP::Response. A reference body is sent as
# JSON (Content-Type application/json unless given); a string is sent as is.
# Redirects are not followed.
sub admin_request {
    my ($method, $path, $body, %headers) = @_;
    $ua ||= LWP::UserAgent->new(timeout => 30, max_redirect => 0,
                                keep_alive => 0);
    my $req = HTTP::Request->new($method => admin_url($path));
    if (defined $body) {
        if (ref $body) {
            $body = $json->encode($body);
            $headers{'Content-Type'} //= 'application/json';
        }
        $req->content($body);
        $req->header('Content-Length' => length $body);
    }
    $req->header($_ => $headers{$_}) for keys %headers;
    return $ua->request($req);
}

# json_body($res): the decoded JSON body of an HTTP::Response, or undef when
# the body is not valid JSON.
sub json_body {
    my $res = shift;
    my $data = eval { $json->decode($res->content) };
    return $data;
}

sub json_encode { $json->encode(shift) }

# pg_script($quiet, @args): runs script/pg with the suite's environment;
# its messages go to STDERR (never mixed with TAP), or nowhere when $quiet.
# Returns the exit status ($?).
sub pg_script {
    my ($quiet, @args) = @_;
    defined $ENV{GW_PG_PORT}
        && (defined $ENV{GW_PG_HOME} || defined $ENV{GW_PG_DATA})
        or die "GW_PG_PORT and GW_PG_HOME are not set (run via script/test)\n";
    my $pid = fork // die "fork: $!\n";
    if (!$pid) {
        if ($quiet) {
            open STDOUT, '>', File::Spec->devnull or POSIX::_exit(127);
            open STDERR, '>', File::Spec->devnull or POSIX::_exit(127);
        }
        else {
            open STDOUT, '>&', \*STDERR or POSIX::_exit(127);
        }
        exec(File::Spec->catfile(root_dir(), 'script', 'pg'), @args)
            or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    return $?;
}

# pg_stop(): stops the suite's PostgreSQL (fast shutdown: open sessions are
# cut, as in a real outage). Dies when it could not.
sub pg_stop {
    pg_script(0, 'stop') == 0 or die "script/pg stop failed\n";
    return 1;
}

# pg_start(): starts it again on the same port and returns once it accepts
# connections. Dies when it could not.
sub pg_start {
    pg_script(0, 'start') == 0 or die "script/pg start failed\n";
    return 1;
}

# pg_running(): true while the suite's PostgreSQL runs.
sub pg_running {
    return pg_script(1, 'status') == 0;
}

# psql($sql): runs $sql in the suite's database as postgres and returns the
# output (unaligned, tuples only: one row per line, columns joined by '|').
# Dies with psql's error text on failure.
sub psql {
    my $sql = shift;
    my $bin = $ENV{GW_PG_BIN} && -x "$ENV{GW_PG_BIN}/psql"
        ? "$ENV{GW_PG_BIN}/psql" : 'psql';
    my $port = $ENV{GW_PG_PORT} // die "GW_PG_PORT is not set\n";
    my $db = $ENV{GW_PG_DB} // 'gateway_test';
    my $err = File::Temp->new;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>&', $err or die;
        local $ENV{PGCONNECT_TIMEOUT} = 10;
        exec($bin, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
             '-h', '127.0.0.1', '-p', $port, '-U', 'postgres', '-d', $db,
             '-c', $sql) or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    if ($? != 0) {
        seek $err, 0, 0;
        my $msg = do { local $/; <$err> } // '';
        die "psql failed: $msg";
    }
    chomp $text;
    return $text;
}

1;
