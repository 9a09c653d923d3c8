# After the whole TAP run: no server log of any test shows a crash. Runs last
# (prove runs t/*.pl in name order) and reads every node's log under
# $TESTDIR/tmp_check/log.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = "$ENV{TESTDIR}/tmp_check/log";
my @logs = grep { !/regress_log_/ } glob("$dir/*.log");
ok(scalar @logs >= 2, 'the earlier tests left their server logs') or diag("in $dir: @logs");
for my $log (@logs)
{
	my $text = slurp_file($log);
	my @crash = grep { /terminated by signal|server process .* was terminated|PANIC|database system was interrupted/ }
	  split /\n/, $text;
	(my $name = $log) =~ s{.*/}{};
	is(scalar @crash, 0, "no crash in $name") or diag(join("\n", @crash));
}

done_testing();
