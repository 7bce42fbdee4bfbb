package GwCluster;

# GwCluster: what the cluster tests (t/cluster/*.t) share. A GwCluster
# object is one sandbox cluster started by script/cluster: a private
# PostgreSQL, N gateway nodes (httpd with both modules) and a static
# upstream httpd, each a process of its own on free loopback ports. The
# object knows every address and PID from script/cluster's summary, sends
# Admin API and proxy requests, stops and starts single services, and
# reads the nodes' error logs.
#
# Lifetime: GwCluster->start creates the sandbox in a temporary folder; the
# END block of this module stops every cluster the test started, by PID,
# even when the test dies, and removes the sandbox unless a test failed (or
# GW_CLUSTER_KEEP is set): then it says where the logs are. These are plain
# Test::More programs for prove, not Apache::Test.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(remove_tree);
use File::Spec ();
use File::Temp ();
use HTTP::Request ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use Test::More ();
use Time::HiRes qw(time sleep);

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;
my $ROOT = File::Spec->rel2abs(
    File::Spec->catdir(dirname(__FILE__), File::Spec->updir, File::Spec->updir));
my $OWNER = $$;   # forked helpers must not tear the cluster down
my @CLUSTERS;

# Crash markers in an httpd error log, as script/test scans t/logs/error_log.
our $CRASH_RE = qr/Segmentation fault|exit signal|AH00052|AddressSanitizer|runtime error:/;

$SIG{INT} = $SIG{TERM} = sub { exit 130 };   # so that END still runs

# GwCluster->start(nodes => N, dbless => FILE): starts a cluster of N nodes
# (default 2), DB-less ones loading the declarative FILE when given, and
# returns it once every service answers. Dies with the tail of
# script/cluster's output when it could not.
sub start {
    my ($class, %opt) = @_;
    my $nodes = $opt{nodes} // 2;
    my $base = File::Temp::tempdir('gw-cluster.XXXXXX', TMPDIR => 1);
    chmod 0711, $base;   # PostgreSQL (user postgres) and httpd's children
    my $self = bless {
        base  => $base,
        dir   => "$base/cluster",
        log   => "$base/script.log",
        nodes => {},
        pids  => {},
    }, $class;
    push @CLUSTERS, $self;
    $self->_parse($self->script($opt{dbless} ? ('--dbless', $opt{dbless}) : (),
                                'start', $nodes));
    $self->{upstream_body} = slurp("$self->{upstream}{docroot}/hello.txt");
    return $self;
}

# script(ARGS...): runs script/cluster on this cluster and returns its
# stdout; its progress messages go to the sandbox's script.log. Dies on a
# non-zero exit with the end of that log.
sub script {
    my ($self, @args) = @_;
    my $out = $self->_run(['script/cluster', '--dir', $self->{dir}, @args]);
    return $out;
}

sub _run {
    my ($self, $cmd) = @_;
    open my $log, '>>', $self->{log} or die "$self->{log}: $!\n";
    printf {$log} "\n[%s] \$ %s\n", POSIX::strftime('%H:%M:%S', localtime), "@$cmd";
    close $log;
    my $t0 = time;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>>', $self->{log} or POSIX::_exit(127);
        chdir $ROOT or POSIX::_exit(127);
        exec(@$cmd) or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    my $rc = $?;
    if (open my $log, '>>', $self->{log}) {
        printf {$log} "(exit %d after %.1f s)\n", $rc >> 8, time - $t0;
    }
    $? = $rc;
    if ($? != 0) {
        my @tail = split /^/, slurp($self->{log});
        splice @tail, 0, @tail - 25 if @tail > 25;
        die sprintf("%s failed (exit %d):\n%s", "@$cmd", $? >> 8, join '', @tail);
    }
    return $text;
}

# status(): re-reads the summary (PIDs change when a node restarts).
sub status {
    my $self = shift;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>>', $self->{log} or POSIX::_exit(127);
        chdir $ROOT or POSIX::_exit(127);
        exec('script/cluster', '--dir', $self->{dir}, 'status')
            or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;   # exit 3 means "not everything runs": still a summary
    $self->_parse($text);
    return $self;
}

sub _parse {
    my ($self, $text) = @_;
    for my $line (split /\n/, $text) {
        my ($name, $rest) = $line =~ /^(\w+) (.*)$/ or next;
        my %f = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split / /, $rest;
        if ($name =~ /^node(\d+)$/) {
            $self->{nodes}{$1} = \%f;
        }
        elsif ($name eq 'postgres' || $name eq 'upstream' || $name eq 'cluster') {
            $self->{$name} = \%f;
        }
        else {
            next;
        }
        $self->{pids}{"$name:$f{pid}"} = $f{pid} if ($f{pid} // '-') =~ /^\d+$/;
    }
    die "script/cluster printed no summary:\n$text\n" unless $self->{postgres};
}

# slurp(PATH): the content of a file, or '' when it cannot be read.
sub slurp {
    my $f = shift;
    open my $fh, '<', $f or return '';
    local $/;
    return scalar <$fh>;
}

# node(K): the summary fields of node K (proxy, admin, pid, conf, log,
# snapshot, name). nodes(): the node numbers.
sub node {
    my ($self, $k) = @_;
    return $self->{nodes}{$k} // die "no node $k in the cluster\n";
}

sub nodes { sort { $a <=> $b } keys %{ $_[0]{nodes} } }

sub dir { $_[0]{dir} }

# upstream_url(): the base URL of the upstream; upstream_body(): what it
# answers for /hello.txt (and for /, its index).
sub upstream_url { 'http://' . $_[0]{upstream}{addr} . '/' }
sub upstream_body { $_[0]{upstream_body} }

my $UA;

sub ua {
    $UA ||= LWP::UserAgent->new(timeout => 10, max_redirect => 0,
                                keep_alive => 0);
    return $UA;
}

# admin(K, METHOD, PATH, [BODY]): one Admin API request to node K; a
# reference BODY is sent as JSON. Returns (status, decoded JSON or undef,
# HTTP::Response).
sub admin {
    my ($self, $k, $method, $path, $body) = @_;
    my $req = HTTP::Request->new(
        $method => 'http://' . $self->node($k)->{admin} . $path);
    if (defined $body) {
        $req->content(ref $body ? $JSON->encode($body) : $body);
        $req->header('Content-Type' => 'application/json');
    }
    my $res = ua()->request($req);
    my $data = eval { $JSON->decode($res->content) };
    return ($res->code, $data, $res);
}

# proxy(K, PATH): GET PATH through node K's proxy vhost; the HTTP::Response.
sub proxy {
    my ($self, $k, $path) = @_;
    return ua()->get('http://' . $self->node($k)->{proxy} . $path);
}

# serves(K, PATH): true when node K proxies PATH to the upstream (200 with
# the upstream's body).
sub serves {
    my ($self, $k, $path) = @_;
    my $res = $self->proxy($k, $path);
    return $res->code == 200 && $res->content eq $self->{upstream_body};
}

# wait_until(SECONDS, CODE, [STEP]): calls CODE every STEP seconds (default
# 0.05) until it returns true; returns the time() at which it did, or undef
# after SECONDS.
sub wait_until {
    my ($self, $timeout, $code, $step) = @_;
    my $end = time + $timeout;
    while (1) {
        return time if $code->();
        return undef if time > $end;
        sleep($step // 0.05);
    }
}

# conninfo(): the libpq connection string of the cluster's database.
sub conninfo {
    my $self = shift;
    my ($port) = ($self->{postgres}{addr} // '') =~ /:(\d+)$/
        or die "this cluster has no PostgreSQL\n";
    return "host=127.0.0.1 port=$port dbname=gateway user=postgres";
}

# gatewayctl(ARGS...): runs bin/gatewayctl on the cluster's database;
# returns (exit code, stdout, stderr).
sub gatewayctl {
    my ($self, @args) = @_;
    my $err = File::Temp->new;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        open STDERR, '>', $err->filename or POSIX::_exit(127);
        chdir $ROOT or POSIX::_exit(127);
        exec("$ROOT/bin/gatewayctl", '--db', $self->conninfo, @args)
            or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    return ($? >> 8, $text, slurp($err->filename));
}

# psql(SQL): runs SQL on the cluster's database (as script/lib.sh's
# gw_psql does); returns its output, dies when it fails.
sub psql {
    my ($self, $sql) = @_;
    my ($port) = $self->conninfo =~ /port=(\d+)/;
    my $pid = open(my $out, '-|') // die "fork: $!\n";
    if (!$pid) {
        chdir $ROOT or POSIX::_exit(127);
        exec('bash', '-c', '. script/lib.sh && gw_psql "$1" gateway "$2"',
             'psql', $port, $sql) or POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> } // '';
    close $out;
    die "psql failed: $sql\n" if $?;
    return $text;
}

# node_stop(K), node_start(K), node_graceful(K): one node, through
# script/cluster; the summary is re-read afterwards.
sub node_stop     { $_[0]->script('node', $_[1], 'stop');     $_[0]->status }
sub node_start    { $_[0]->script('node', $_[1], 'start');    $_[0]->status }
sub node_graceful { $_[0]->script('node', $_[1], 'graceful'); $_[0]->status }

# pg_stop(), pg_start(), pg_running(): the cluster's PostgreSQL, through
# script/pg (fast shutdown: open sessions are cut, as in a real outage).
sub pg_stop  { $_[0]->script('pg', 'stop');  $_[0]->status }
sub pg_start { $_[0]->script('pg', 'start'); $_[0]->status }

sub pg_running { $_[0]->status->{postgres}{running} }

# log_size(K): the current length of node K's error log, to look only at
# what comes after. log_text(K, [FROM]): the log from byte FROM on.
sub log_size { -s $_[0]->node($_[1])->{log} // 0 }

sub log_text {
    my ($self, $k, $from) = @_;
    my $text = slurp($self->node($k)->{log});
    return substr($text, $from // 0);
}

# wait_log(K, REGEX, SECONDS, [FROM]): the first line of node K's log
# (after byte FROM) matching REGEX, waiting up to SECONDS; undef if none.
sub wait_log {
    my ($self, $k, $re, $timeout, $from) = @_;
    my $line;
    $self->wait_until($timeout, sub {
        ($line) = grep { /$re/ } split /\n/, $self->log_text($k, $from);
        return defined $line;
    }, 0.1);
    return $line;
}

# Lines of an httpd error log that show a child that did not exit when
# told to (the parent TERMs it again, then KILLs it).
our $HUNG_RE = qr/AH00045|AH00046/;

# finish(): the closing tests of a cluster test: stops the nodes one by
# one, each within 5 s (httpd's parent gives up on a child that ignores
# SIGTERM after 10 s), and checks that no node's error log shows a crashed
# child or one that did not exit when told to.
sub finish {
    my $self = shift;
    for my $k ($self->nodes) {
        next unless $self->node($k)->{running};
        my $t0 = time;
        my $ok = eval { $self->script('node', $k, 'stop'); 1 };
        my $s = time - $t0;
        Test::More::ok($ok && $s < 5, sprintf('node%d stops within 5 s (%.1f s)', $k, $s))
            or Test::More::diag($@ || '');
    }
    $self->status;
    for my $k ($self->nodes) {
        my @bad = grep { /$CRASH_RE|$HUNG_RE/ } split /\n/, $self->log_text($k);
        Test::More::ok(!@bad, "node$k: no crashed or hung child in its error log")
            or Test::More::diag(join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
    }
}

# diag_logs(): the end of every node's error log, as TAP comments.
sub diag_logs {
    my $self = shift;
    for my $k ($self->nodes) {
        my @lines = split /\n/, $self->log_text($k);
        splice @lines, 0, @lines - 15 if @lines > 15;
        Test::More::diag("--- node$k $self->{nodes}{$k}{log}:\n"
                         . join("\n", @lines));
    }
}

# traffic(K, PATH, SECONDS_MAX, [CLIENTS]): starts CLIENTS (default 2)
# processes that GET PATH through node K in a loop, one new connection
# per request, until traffic_end() or SECONDS_MAX. Returns a handle.
sub traffic {
    my ($self, $k, $path, $max, $clients) = @_;
    my $stop = "$self->{base}/traffic.stop." . time;
    my @kids;
    for my $c (1 .. ($clients // 2)) {
        my $out = "$stop.$c";
        my $pid = fork // die "fork: $!\n";
        if (!$pid) {
            my ($n, $fail, @first) = (0, 0);
            my $end = time + $max;
            my $ua = LWP::UserAgent->new(timeout => 10, keep_alive => 0);
            my $url = 'http://' . $self->node($k)->{proxy} . $path;
            until (-e $stop || time > $end) {
                my $res = $ua->get($url);
                $n++;
                if ($res->code != 200 || $res->content ne $self->{upstream_body}) {
                    $fail++;
                    push @first, sprintf('%.3f %s %s', time, $res->status_line,
                                         substr($res->content, 0, 120))
                        if @first < 5;
                }
                sleep 0.02;
            }
            if (open my $fh, '>', $out) {
                print {$fh} "$n $fail\n", map { "$_\n" } @first;
                close $fh;
            }
            POSIX::_exit(0);
        }
        push @kids, [$pid, $out];
    }
    my $h = { stop => $stop, kids => \@kids };
    $self->{traffic}{$stop} = $h;
    return $h;
}

# traffic_end(HANDLE): stops the clients; returns (requests, failures,
# first failures).
sub traffic_end {
    my ($self, $h) = @_;
    delete $self->{traffic}{ $h->{stop} };
    open my $fh, '>', $h->{stop} or die "$h->{stop}: $!\n";
    close $fh;
    my ($n, $fail, @first) = (0, 0);
    for my $kid (@{ $h->{kids} }) {
        waitpid $kid->[0], 0;
        my ($head, @lines) = split /\n/, slurp($kid->[1]);
        my ($kn, $kf) = split / /, $head // '0 1';
        $n += $kn;
        $fail += $kf;
        push @first, @lines;
    }
    return ($n, $fail, @first);
}

# stop(): ends traffic clients left running, stops every service by PID
# (script/cluster stop), then makes sure that no process this object has
# seen is left: a PID counts only while its command line names this
# sandbox, so a PID the system has reused since is never touched.
sub stop {
    my $self = shift;
    return if $self->{stopped}++;
    $self->traffic_end($_) for values %{ $self->{traffic} || {} };
    eval { $self->script('stop'); 1 } or Test::More::diag("cluster stop: $@");
    for my $key (sort keys %{ $self->{pids} }) {
        my $pid = $self->{pids}{$key};
        next unless _running($pid)
            && index(slurp("/proc/$pid/cmdline"), $self->{dir}) >= 0;
        Test::More::diag("$key still runs after script/cluster stop: killing it");
        kill $key =~ /^postgres:/ ? 'INT' : 'TERM', $pid;
        for (1 .. 50) { last unless _running($pid); sleep 0.1 }
        kill 'KILL', $pid if _running($pid);
    }
}

# children(K): the PIDs of node K's httpd children that still run.
sub children {
    my ($self, $k) = @_;
    my $parent = $self->node($k)->{pid};
    my @kids;
    opendir my $dh, '/proc' or return;
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        my $stat = slurp("/proc/$pid/stat") or next;
        my ($state, $ppid) = $stat =~ /\) (\S) (\d+)/ or next;
        push @kids, $pid if $ppid == $parent && $state ne 'Z';
    }
    return sort { $a <=> $b } @kids;
}

# _running(PID): alive and not a zombie (PID 1 may never reap our daemons).
sub _running {
    my $pid = shift;
    my $stat = slurp("/proc/$pid/stat") or return 0;
    my ($state) = $stat =~ /\) (\S)/;
    return ($state // 'Z') ne 'Z';
}

END {
    my $rc = $?;
    if ($$ == $OWNER) {
        my $passing = $rc == 0 && Test::More->builder->is_passing;
        for my $c (reverse @CLUSTERS) {
            $c->diag_logs if !$passing && $c->{nodes} && %{ $c->{nodes} };
            $c->stop;
            if ($passing && !$ENV{GW_CLUSTER_KEEP}) {
                remove_tree($c->{base});
            }
            else {
                Test::More::diag("kept the cluster sandbox $c->{base}");
            }
        }
    }
    $? = $rc;
}

1;
