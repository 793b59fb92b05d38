# shellcheck shell=bash
# The block benchmark's jobs, run the same way in the guests and in dom0:
# fio with O_DIRECT and libaio, each job 5 s after 1 s of ramp, and all
# the jobs BENCH_ROUNDS times over.  Under nested TCG one run of a job
# moves by a fifth or more from the next, and the test bed's speed drifts
# over a boot: tests/qemu-xen/bench runs each driver's guest several
# times, the drivers taking turns, so one round per guest gives each
# driver samples from the whole boot; the table shows their spread beside
# each median.  The caller sets bench_result (prints one result) and
# report (one test).
BENCH_SECS=5
BENCH_ROUNDS=1

# fio_job ROUND METRIC TARGET RW BS QD: one job; the result is MiB/s for
# the sequential jobs and IOPS for the random ones.
fio_job() {
	local round=$1; shift
	local metric=$1 target=$2 rw=$3 bs=$4 qd=$5 out=/tmp/fio-$1.json value clat
	if ! fio --name="$metric" --filename="$target" --rw="$rw" --bs="$bs" \
		--iodepth="$qd" --ioengine=libaio --direct=1 --time_based \
		--runtime="$BENCH_SECS" --ramp_time=1 --output-format=json \
		--output="$out" > /dev/null 2>&1; then
		report "fio $metric, round $round" false
		return
	fi
	# The result, then the completion latency's median and 99th
	# percentile: a p99 near the median is a steady pace, a far one is
	# stalls.  (No process substitution: the guests have no /dev/fd.)
	value=$(python3 - "$out" "$rw" <<'PY'
import json, sys
path, rw = sys.argv[1:]
job = json.load(open(path))["jobs"][0]
side = job["write" if "write" in rw else "read"]
value = round(side["bw"] / 1024, 1) if rw in ("read", "write") else round(side["iops"])
pct = side["clat_ns"].get("percentile", {})
ms = lambda key: "%.2f" % (pct.get(key, 0) / 1e6)
print(value, "clat p50 %s ms, p99 %s ms" % (ms("50.000000"), ms("99.000000")))
PY
)
	clat=${value#* }
	value=${value%% *}
	report "fio $metric, round $round ($value; $clat)" test -n "$value"
	[ -n "$value" ] && bench_result "$metric" "$value"
}

# fio_all TARGET: the disk filled once (reads of a sparse backing file
# would cost nothing), then every job, round after round.
fio_all() {
	local r
	fio --name=fill --filename="$1" --rw=write --bs=1M --direct=1 \
		--ioengine=libaio --iodepth=8 > /dev/null 2>&1
	for r in $(seq "$BENCH_ROUNDS"); do
		fio_job "$r" seq_write "$1" write 1M 8
		fio_job "$r" seq_read "$1" read 1M 8
		fio_job "$r" rand_read_qd1 "$1" randread 4k 1
		fio_job "$r" rand_read_qd32 "$1" randread 4k 32
		fio_job "$r" rand_write_qd1 "$1" randwrite 4k 1
		fio_job "$r" rand_write_qd32 "$1" randwrite 4k 32
	done
}
