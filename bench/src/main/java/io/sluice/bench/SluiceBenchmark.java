package io.sluice.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The one base configuration every Sluice benchmark extends, so that any two scores in a run were
 * measured the same way and their ratio means something. JMH's run annotations are inherited, so
 * a benchmark class states only its {@code @State} and parameters; {@code bench/run.sh quick}
 * shortens the iterations from the command line for a sanity run, never in code.
 *
 * <p>Why these numbers. <b>Average time in µs</b>: the quantities we compare are per-call costs
 * (an engine call, a request through the batcher, one decode), and items/s is derived as batch /
 * time; {@code -bm sample} on the command line gives percentiles when a tail is wanted. <b>One
 * fork</b>: every parameter set still gets a fresh JVM (a model's JIT profile never leaks into
 * the next), and on a 2-core box a second fork doubles the run for little; raise {@code -f} for
 * release numbers. <b>5 × 2 s warm-up</b>: C2 compiles a hot method after about 10⁴ invocations,
 * which the µs-scale paths reach in milliseconds, but ONNX Runtime also needs its first runs per
 * input shape to grow its arena and plan memory, and ResNet-18 at batch 64 takes a good part of a
 * second a call, so a 2 s iteration still holds several calls of the slowest case; five of them
 * leave the JIT's later recompilations and the heap's sizing behind. <b>5 × 2 s measurement</b>:
 * enough iterations for JMH's error bar to be meaningful at a cost of ~20 s per parameter set,
 * which keeps the full run near a quarter of an hour on 2 cores. <b>JVM flags</b>: a fixed 1 GiB
 * heap so heap resizing is not measured, and G1 named explicitly, the collector the gateway gets
 * by default on the 2-core box: {@code bench/run.sh} pins the forks to one CPU, where the JVM
 * would otherwise fall back to the serial collector. A server pinned the same way for a
 * comparison should be given {@code -XX:+UseG1GC} too.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseG1GC", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public abstract class SluiceBenchmark {}
