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
 */
public record ModelRef(String uri, long sizeBytes, long modificationTime, List<Broadcast<byte[]>> chunks)
    implements Serializable {

  /** The executor cache key: the same file, unchanged. */
  public String cacheKey() {
    return uri + "|" + sizeBytes + "|" + modificationTime;
  }

  public boolean broadcast() {
    return chunks != null;
  }
}
