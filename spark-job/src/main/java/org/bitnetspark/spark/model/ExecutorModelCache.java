package org.bitnetspark.spark.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.broadcast.Broadcast;
import org.bitnetspark.engine.io.ChunkedModelSource;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
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
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ExecutorModelCache() {}

  /** The model for {@code ref}, loading it on first use in this JVM (other tasks wait for that load). */
  public static synchronized Entry get(ModelRef ref) {
    Entry e = MODELS.get(ref.cacheKey());
    if (e != null) return e;
    long start = System.nanoTime();
    BitNetModel model;
    if (ref.broadcast()) {
      List<byte[]> chunks = new ArrayList<>(ref.chunks().size());
      for (Broadcast<byte[]> b : ref.chunks()) chunks.add(b.value());
      model = ModelLoader.load(new ChunkedModelSource(ref.uri(), chunks));
    } else {
      model = ModelLoader.load(ref.uri());
    }
    e = new Entry(model, (System.nanoTime() - start) / 1_000_000, ref.broadcast());
    LOADS.incrementAndGet();
    LOG.info("executor model cache: loaded {} ({} in {} ms, {} MiB resident)", ref.uri(),
        ref.broadcast() ? "from broadcast" : "from its path", e.loadMillis(), model.residentWeightBytes() >> 20);
    MODELS.put(ref.cacheKey(), e);
    while (MODELS.size() > MAX_MODELS) {
      String eldest = MODELS.keySet().iterator().next();
      MODELS.remove(eldest);
      LOG.info("executor model cache: evicted {}", eldest);
    }
    return e;
  }

  /** How many loads this JVM has done (tests check that it is one per model). */
  public static int loads() {
    return LOADS.get();
  }

  /** Forgets every cached model in this JVM (benchmarks measure loads with it). */
  public static synchronized void clear() {
    MODELS.clear();
  }
}
