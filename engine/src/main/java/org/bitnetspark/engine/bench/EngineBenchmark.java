package org.bitnetspark.engine.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.model.StepProfile;

/**
 * The engine's speed, measured in one run so that the figures can be read as ratios: the machine's
 * read bandwidth, decode at batch 1, prefill, batched decode, and the vector kernels against the
 * scalar ones. Decoding is memory-bound in principle: each step reads every packed weight once, so
 * {@code tokens/s x bytes read per token / bandwidth} says how close the kernels come to the limit.
 */
public final class EngineBenchmark {
  private final BitNetModel model;
  private final long fileBytes;
  private final ActivationQuant activationQuant;
  private final int decodeSteps;
  private final int context;

  /**
   * @param context positions already in each sequence's cache when decoding is measured: attention reads
   *     them all every step, so its share of a step grows with the context
   */
  public EngineBenchmark(BitNetModel model, long fileBytes, ActivationQuant activationQuant, int decodeSteps,
      int context) {
    int room = model.config().contextLength() - context - 2;
    if (context < 1 || room < 2) {
      throw new IllegalArgumentException("--context " + context + " must be between 1 and "
          + (model.config().contextLength() - 4) + " (the model's context length less room for decode steps)");
    }
    this.model = model;
    this.fileBytes = fileBytes;
    this.activationQuant = activationQuant;
    this.decodeSteps = Math.max(2, Math.min(decodeSteps, room));
    this.context = context;
  }

  /**
   * All figures for one thread count, keyed as the {@code --json} output documents.
   *
   * <p>The bandwidth is probed three times (first, after prefill, last) and batch-1 decoding twice (first and
   * after the batches), each figure the best of its samples: on a shared machine a neighbour can slow a probe
   * or a round for a while, and a slow probe alone inflated decode / bandwidth from 0.32 to 0.42, a slow batch 1
   * alone batch 16 / 1 from 2.4x to 3.0x (700M, one thread, two runs of the same code in one hour). The best
   * samples make both ratios the conservative ones; the samples are printed too.
   */
  public Map<String, Object> run(int threads, int[] batchSizes) {
    Map<String, Object> out = new LinkedHashMap<>();
    try (ParallelRows parallel = new ParallelRows(threads)) {
      List<Double> bandwidths = new ArrayList<>();
      bandwidths.add(Bandwidth.measure(threads));
      long modelBytes = model.residentWeightBytes();
      ForwardPass vector = new ForwardPass(model, new Compute(Kernels.get(), parallel, activationQuant));
      StepProfile profile = new StepProfile();
      KvCache prefix = prefill(vector, context);
      vector.profile(profile);
      List<Double> decodes = new ArrayList<>();
      decodes.add(steadyDecodeTokensPerSecond(vector, 1, prefix, profile));
      Map<String, Double> decodeStages = stageFractions(profile);
      double prefill = prefillTokensPerSecond(vector, Math.min(128, model.config().contextLength() - 1), profile);
      Map<String, Double> prefillStages = stageFractions(profile);
      bandwidths.add(Bandwidth.measure(threads));
      double scalarDecode = Kernels.vectorAvailable()
          ? steadyDecodeTokensPerSecond(new ForwardPass(model, new Compute(Kernels.create(Kernels.Choice.SCALAR),
              parallel, activationQuant)), 1, prefix, new StepProfile())
          : Double.NaN;
      Map<String, Double> throughput = new LinkedHashMap<>();
      Map<String, Map<String, Double>> batchStages = new LinkedHashMap<>();
      for (int b : batchSizes) {
        throughput.put(String.valueOf(b), steadyDecodeTokensPerSecond(vector, b, prefix, profile));
        batchStages.put(String.valueOf(b), stageFractions(profile));
      }
      decodes.add(steadyDecodeTokensPerSecond(vector, 1, prefix, new StepProfile()));
      bandwidths.add(Bandwidth.measure(threads));
      double bandwidth = Collections.max(bandwidths);
      double decode = Collections.max(decodes);
      out.put("threads", threads);
      out.put("kernel", Kernels.get().name());
      out.put("transparent_huge_pages", transparentHugePages());
      out.put("bandwidth_gb_s", bandwidth / 1e9);
      out.put("bandwidth_samples_gb_s", bandwidths.stream().map(bw -> bw / 1e9).toList());
      out.put("model_bytes", modelBytes);
      out.put("decode_context", context);
      out.put("decode_tokens_per_s", decode);
      out.put("decode_samples_tokens_per_s", decodes);
      out.put("decode_bandwidth_ratio", decode * modelBytes / bandwidth);
      out.put("prefill_tokens_per_s", prefill);
      out.put("prefill_over_decode", prefill / decode);
      out.put("decode_stage_fractions", decodeStages);
      out.put("prefill_stage_fractions", prefillStages);
      if (Kernels.vectorAvailable()) out.put("vector_over_scalar", decode / scalarDecode);
      Map<String, Double> speedup = new LinkedHashMap<>();
      throughput.forEach((b, tps) -> speedup.put(b, tps / decode));
      out.put("batch_tokens_per_s", throughput);
      out.put("batch_speedup", speedup);
      out.put("batch_stage_fractions", batchStages);
      out.put("resident_over_file", (double) modelBytes / fileBytes);
    }
    return out;
  }

  /**
   * The decode measurement repeated until the JIT is done with it: at least {@value #MIN_ROUNDS} rounds,
   * then until a round is within 3% of the one before (at most {@value #MAX_ROUNDS} rounds), the best round.
   * C2 compiles the kernels' loop nests from their back-edge counts, which takes a few dozen steps, and
   * recompiles them when the batch size changes what runs: one warm-up step measured the interpreter, and a
   * warm-up at another batch size measured code compiled for that one (batch 16 read 30% low after a
   * batch-4 warm-up). A large kernel first runs on-stack-replaced code that can be steady and slow: the
   * lookup kernel's first two rounds read 18.5 tokens/s (700M, one thread) and 26.0 once warm.
   */
  private double steadyDecodeTokensPerSecond(ForwardPass forward, int batch, KvCache prefix, StepProfile profile) {
    return steadyBest(MIN_ROUNDS, MAX_ROUNDS, profile, round -> decodeTokensPerSecond(forward, batch, prefix));
  }

  /**
   * The best of {@code round}'s rates, repeated at least {@code minRounds} times and then until a round is
   * within 3% of the one before (at most {@code maxRounds}); the profile describes the last round.
   */
  private static double steadyBest(int minRounds, int maxRounds, StepProfile profile,
      java.util.function.IntToDoubleFunction round) {
    double previous = 0;
    double best = 0;
    for (int r = 0; r < maxRounds; r++) {
      profile.reset();
      double rate = round.applyAsDouble(r);
      best = Math.max(best, rate);
      if (r + 1 >= minRounds && Math.abs(rate - previous) <= 0.03 * rate) break;
      previous = rate;
    }
    return best;
  }

  private static final int MIN_ROUNDS = 4;
  private static final int MAX_ROUNDS = 8;

  /**
   * Whether the JVM asked for transparent huge pages (-XX:+UseTransparentHugePages): the weights are a few
   * hundred MB of heap streamed every token, and with 4 KB pages half the rounds of a same-hour A/B ran
   * 30-60% slower (best rounds equal), so a figure measured without them says so.
   */
  static boolean transparentHugePages() {
    try {
      return Boolean.parseBoolean(java.lang.management.ManagementFactory
          .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption("UseTransparentHugePages").getValue());
    } catch (RuntimeException e) {
      return false; // not HotSpot, or no such option on this platform
    }
  }

  /** The profile's stage shares, keyed by lower-case stage name, rounded to three places. */
  private static Map<String, Double> stageFractions(StepProfile profile) {
    Map<String, Double> out = new LinkedHashMap<>();
    profile.fractions().forEach((stage, f) -> out.put(stage.name().toLowerCase(java.util.Locale.ROOT),
        Math.round(f * 1000) / 1000.0));
    return out;
  }

  /**
   * One prompt of {@code length} tokens, prefilled once per thread count: every decode measurement starts
   * its sequences from a copy, so that a long context costs one prefill, not one per sequence and round.
   */
  private KvCache prefill(ForwardPass forward, int length) {
    KvCache cache = KvCache.create(KvCache.Type.F16, model.config(), length);
    Batch b = new Batch();
    for (int p = 0; p < length; p++) b.add(token(0, p), p, cache, p == length - 1);
    forward.forward(b);
    return cache;
  }

  /**
   * Tokens per second of {@code batch} sequences decoding together (one token each per step), each from a
   * copy of {@code prefix} (the sequences then decode different tokens).
   */
  double decodeTokensPerSecond(ForwardPass forward, int batch, KvCache prefix) {
    List<KvCache> caches = new ArrayList<>(batch);
    for (int s = 0; s < batch; s++) {
      KvCache cache = KvCache.create(KvCache.Type.F16, model.config(), context + decodeSteps + 1);
      cache.copyPrefixFrom(prefix, context);
      caches.add(cache);
    }
    step(forward, caches, context); // warm-up step, not timed
    long start = System.nanoTime();
    for (int t = 1; t < decodeSteps; t++) step(forward, caches, context + t);
    return (double) batch * (decodeSteps - 1) / ((System.nanoTime() - start) / 1e9);
  }

  private void step(ForwardPass forward, List<KvCache> caches, int position) {
    Batch b = new Batch();
    for (int s = 0; s < caches.size(); s++) b.add(token(s, position), position, caches.get(s), true);
    forward.forward(b);
  }

  /**
   * Tokens per second of one prompt of {@code length} tokens processed as one batch, repeated as the decode
   * measurement is (at least three rounds, then until a round is within 3% of the one before, at most six;
   * the best round): prefill is the first work of the batch kernels, whose first round ran at 0.6x of the
   * steady rate (700M, one thread). The profile describes the last round.
   */
  private double prefillTokensPerSecond(ForwardPass forward, int length, StepProfile profile) {
    return steadyBest(3, 6, profile, round -> {
      KvCache cache = KvCache.create(KvCache.Type.F16, model.config(), length);
      Batch b = new Batch();
      for (int p = 0; p < length; p++) b.add(token(round, p), p, cache, p == length - 1);
      long start = System.nanoTime();
      forward.forward(b);
      return length / ((System.nanoTime() - start) / 1e9);
    });
  }

  /** Deterministic, varied token ids. */
  private int token(int sequence, int position) {
    return 3 + Math.floorMod(sequence * 7919 + position * 104729, model.config().vocabSize() - 3);
  }
}
