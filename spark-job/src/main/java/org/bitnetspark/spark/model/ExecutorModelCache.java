package org.bitnetspark.spark.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.broadcast.Broadcast;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.io.ChunkedModelSource;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.PartialModelSource;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.parallel.Parallelism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per executor JVM, however many tasks run there: tasks borrow it (models are
 * immutable and thread-safe), never copy it. Keyed by location, size and modification time; holds
 * at most {@value #MAX_MODELS} models and evicts the least recently used. Logs each load.
 */
public final class ExecutorModelCache {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModelCache.class);
  static final int MAX_MODELS = 2;

  /** A cached model and what loading it cost. */
  public record Entry(BitNetModel model, long loadMillis, boolean fromBroadcast) {}

  private static final Map<String, Entry> MODELS = new LinkedHashMap<>(4, 0.75f, true);
  /** Whether this thread's last lookup loaded its model (tasks run concurrently; each asks for its own). */
  private static final ThreadLocal<Boolean> LAST_LOOKUP_LOADED = ThreadLocal.withInitial(() -> false);

  private ExecutorModelCache() {}

  /** The model for {@code ref}, loading it on first use in this JVM (other tasks wait for that load). */
  public static synchronized Entry get(ModelRef ref) {
    return cached(ref.cacheKey(), false, ref.broadcast(), () -> {
      if (!ref.broadcast()) return ModelLoader.load(ref.uri());
      List<byte[]> chunks = new ArrayList<>(ref.chunks().size());
      for (Broadcast<byte[]> b : ref.chunks()) chunks.add(b.value());
      return ModelLoader.load(new ChunkedModelSource(ref.uri(), chunks));
    });
  }

  /**
   * Rank {@code rank}'s part of a model-parallel job's model: from its broadcast part, or read from the
   * model path (only the part's tensors and rows). Parts share the cache with whole models; a local-mode
   * JVM running a whole group holds each rank's part under its own key.
   */
  public static synchronized Entry getPart(ModelRef ref, int rank) {
    Parallelism p = Parallelism.parse(ref.parallelism());
    return cached(ref.cacheKey() + "|" + p + "#" + rank, true, ref.parts() != null, () -> {
      try {
        ModelSource source = ref.parts() != null ? PartialModelSource.fromBytes(ref.parts().get(rank).value())
            : ModelInputs.open(ref.uri());
        return ModelLoader.load(source, p.partFor(rank));
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot open model " + ref.uri() + ": " + ex.getMessage(), ex);
      }
    });
  }

  /** The entry under {@code key}, loaded (timed, logged, then older entries of its kind evicted) if absent. */
  private static Entry cached(String key, boolean part, boolean fromBroadcast, Supplier<BitNetModel> load) {
    Entry e = MODELS.get(key);
    LAST_LOOKUP_LOADED.set(e == null);
    if (e != null) return e;
    long start = System.nanoTime();
    BitNetModel model = load.get();
    e = new Entry(model, (System.nanoTime() - start) / 1_000_000, fromBroadcast);
    LOG.info("executor model cache: loaded {} of {} ({} in {} ms, {} MiB resident)", model.part().describe(),
        model.uri(), fromBroadcast ? "from broadcast" : "from its path", e.loadMillis(),
        model.residentWeightBytes() >> 20);
    MODELS.put(key, e);
    evict(part, part ? Parallelism.MAX_DEGREE : MAX_MODELS);
    return e;
  }

  /** Drops the least recently used whole models (or parts) beyond {@code limit}. */
  private static void evict(boolean parts, int limit) {
    List<String> keys = new ArrayList<>();
    for (String k : MODELS.keySet()) if (k.contains("#") == parts) keys.add(k); // eldest first
    for (int i = 0; i < keys.size() - limit; i++) {
      MODELS.remove(keys.get(i));
      LOG.info("executor model cache: evicted {}", keys.get(i));
    }
  }

  /** True when this thread's last {@link #get} or {@link #getPart} loaded the model rather than finding it. */
  public static boolean lastLookupLoaded() {
    return LAST_LOOKUP_LOADED.get();
  }

  /** Forgets every cached model in this JVM (benchmarks measure loads with it). */
  public static synchronized void clear() {
    MODELS.clear();
  }
}
