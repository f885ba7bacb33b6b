package org.bitnetspark.engine.io;

import java.io.IOException;
import java.net.URI;

/**
 * Opens models at URIs the engine itself cannot read (hdfs://, s3a://, ...). Implementations are
 * found with {@link java.util.ServiceLoader}; the Spark module provides one for every Hadoop file
 * system.
 */
public interface ModelSourceProvider {
  /** Whether this provider handles the URI's scheme. */
  boolean supports(URI uri);

  ModelSource open(URI uri) throws IOException;

  /** Whether the URI names a directory (a checkpoint); providers of file systems without them say no. */
  default boolean isDirectory(URI uri) throws IOException {
    return false;
  }
}
