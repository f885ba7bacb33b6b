package org.bitnetspark.spark.model;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a task needs to find its model: the location, the file's identity (size and modification time,
 * so a replaced file is never served from the cache), and the broadcast chunks when the driver
 * broadcast it. Shipped to executors inside the task closure.
 *
 * @param uri the model location as the user gave it
 * @param sizeBytes file size
 * @param modificationTime file modification time (ms), or 0 for the bundled model
 * @param chunks the broadcast chunks, or null when executors read the path themselves
 * @param parallelism how the job splits the model ({@code data}, {@code pipeline:N}, {@code tensor:N})
 * @param parts a model-parallel job's broadcast parts, one per rank (each only the bytes that rank's part
 *     reads, {@link org.bitnetspark.engine.io.PartialModelSource}), or null when ranks read the path
 */
public record ModelRef(String uri, long sizeBytes, long modificationTime, List<Broadcast<byte[]>> chunks,
    String parallelism, List<Broadcast<byte[]>> parts) implements Serializable {

  /** A data-parallel model: every task loads all of it. */
  public ModelRef(String uri, long sizeBytes, long modificationTime, List<Broadcast<byte[]>> chunks) {
    this(uri, sizeBytes, modificationTime, chunks, "data", null);
  }

  /** The executor cache key: the same file, unchanged. */
  public String cacheKey() {
    return uri + "|" + sizeBytes + "|" + modificationTime;
  }

  public boolean broadcast() {
    return chunks != null || parts != null;
  }
}
