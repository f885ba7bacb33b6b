#!/usr/bin/env bash
# Multi-JVM test: a standalone Spark master and two workers on 127.0.0.1, started from the Maven-resolved
# jars (no Spark distribution), and the generate job submitted with SparkSubmit, so executors run in two
# separate JVMs. Checks: the job succeeds with the model broadcast and with the model read from its path,
# every input row has one output row, and both executors did work, each loading the model once. Then the
# model-parallel modes across the two executor JVMs (pipeline:2, tensor:2, tensor:4, the groups' ranks
# talking over TCP between the JVMs) give the same greedy completions as the data-parallel job.
# Needs: mvn package (spark-job/target/bitnet-spark.jar, spark-classpath.txt). Run from the repository root.
set -euo pipefail
root=$(pwd)
jar="$root/spark-job/target/bitnet-spark.jar"
work=$(mktemp -d /tmp/bitnet-cluster.XXXXXX)
sparkHome="$work/spark-home"
mkdir -p "$sparkHome/jars" "$sparkHome/conf"
# the worker builds executor class paths from $SPARK_HOME/jars/*
tr ':' '\n' < "$root/spark-job/target/spark-classpath.txt" | while read -r j; do ln -s "$j" "$sparkHome/jars/"; done
# Spark's default log4j2 profile (INFO): the registration lines below are read from the logs
export SPARK_HOME="$sparkHome" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
flags=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow)
cp="$sparkHome/conf:$sparkHome/jars/*"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

java -Xmx256m "${flags[@]}" -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
  --webui-port 0 > "$work/master.log" 2>&1 &
pids+=($!)
for i in 1 2; do
  SPARK_WORKER_DIR="$work/worker$i" java -Xmx256m "${flags[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores 2 --memory 1g --webui-port 0 "spark://127.0.0.1:$port" > "$work/worker$i.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 60); do
  [ "$(grep -c 'Successfully registered with master' "$work"/worker*.log 2>/dev/null | awk -F: '{s+=$2} END {print s}')" = 2 ] && break
  sleep 1
done
grep -q 'Successfully registered with master' "$work/worker1.log" "$work/worker2.log" || { cat "$work"/*.log; echo "workers did not register"; exit 1; }

# a model on a path both executors can read (a "shared disk" here): the engine synthesises one
java --add-modules jdk.incubator.vector -jar "$root/engine/target/bitnet-engine.jar" synth --out "$work/tiny.gguf" \
  --shape tiny --type tq2_0 --seed 3 > /dev/null

submit() { # distribution model output
  java -Xmx1g "${flags[@]}" -cp "$jar:$cp" org.apache.spark.deploy.SparkSubmit --master "spark://127.0.0.1:$port" \
    --conf spark.executor.cores=2 --conf spark.executor.memory=1g --conf spark.cores.max=4 \
    --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false \
    --class org.bitnetspark.spark.BitNetSparkMain "$jar" generate --input "$root/spark-job/examples/prompts.jsonl" \
    --options-col options --output "$3" --output-format json --max-tokens 16 --partitions 4 \
    --model "$2" --model-distribution "$1" > "$3.console" 2>&1 || { cat "$3.console"; echo "job failed ($1)"; exit 1; }
  python3 - "$3" <<'PY'
import json, sys, glob
out = sys.argv[1]
rows = [json.loads(l) for f in glob.glob(out + "/part-*.json") for l in open(f)]
stats = json.load(open(out + ".stats.json"))
ids = [r["id"] for r in rows]
assert len(rows) == 16 and len(set(ids)) == 16, f"expected 16 distinct rows, got {len(rows)}"
executors = stats["executors"]
assert len(executors) == 2, f"expected work on 2 executor JVMs, got {list(executors)}"
assert sum(e["tasks"] for e in executors.values()) == 4, f"4 partitions, 4 tasks: {executors}"
assert all(e["model_loads"] == 1 for e in executors.values()), \
    f"each executor JVM loads the model exactly once, however many tasks it runs: {executors}"
assert {r["executor_id"] for r in rows} == set(executors), "rows name the executors that made them"
print(f"ok: {out}: 16 rows from executors {sorted(executors)}, distribution {stats['distribution']}")
PY
}
submit broadcast default "$work/out-broadcast"
submit path "file://$work/tiny.gguf" "$work/out-path"

submit_greedy() { # parallelism distribution output
  java -Xmx1g "${flags[@]}" -cp "$jar:$cp" org.apache.spark.deploy.SparkSubmit --master "spark://127.0.0.1:$port" \
    --conf spark.executor.cores=2 --conf spark.executor.memory=1g --conf spark.cores.max=4 \
    --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false \
    --conf spark.scheduler.minRegisteredResourcesRatio=1.0 --conf spark.scheduler.maxRegisteredResourcesWaitingTime=60s \
    --class org.bitnetspark.spark.BitNetSparkMain "$jar" generate --input "$root/spark-job/examples/prompts.jsonl" \
    --output "$3" --output-format json --max-tokens 16 --temperature 0 \
    --model "file://$work/tiny.gguf" --model-distribution "$2" --parallelism "$1" > "$3.console" 2>&1 \
    || { cat "$3.console"; echo "job failed ($1)"; exit 1; }
}
submit_greedy data path "$work/greedy-data"
for mode in pipeline:2/path tensor:2/broadcast tensor:4/path; do
  out="$work/greedy-${mode%%/*}"; out="${out/:/-}"
  submit_greedy "${mode%%/*}" "${mode##*/}" "$out"
  python3 - "$work/greedy-data" "$out" "${mode%%/*}" <<'PY'
import json, sys, glob
def rows(out):
    return {r["id"]: r for f in glob.glob(out + "/part-*.json") for r in map(json.loads, open(f))}
want, got, mode = rows(sys.argv[1]), rows(sys.argv[2]), sys.argv[3]
assert len(want) == 16 and set(got) == set(want), f"{mode}: rows {sorted(got)}"
for k in want:
    assert got[k].get("completion") == want[k].get("completion"), f"{mode} row {k}: {got[k]} != {want[k]}"
mp = json.load(open(sys.argv[2] + ".stats.json"))["model_parallel"]
executors = {r["executor_id"] for r in mp["ranks"]}
assert len(executors) == 2, f"{mode}: the groups' ranks ran in both executor JVMs: {mp['ranks']}"
print(f"ok: {mode}: 16 greedy completions equal the data-parallel job's; ranks on executors {sorted(executors)}; "
      f"{mp['bytes_per_token']:.0f} bytes/token crossed (minimum {mp['minimum_bytes_per_token']:.0f})")
PY
done
rm -rf "$work"
echo "standalone cluster test passed"
