package org.bitnetspark.engine.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of a model file, addressed by absolute offset. This is the one way the engine reads a
 * model: the CLI uses memory-mapped local files, the Spark module plugs in Hadoop file systems.
 *
 * <p>Implementations are thread-safe; returned buffers are read-only, little-endian, and owned by
 * the caller (each call returns an independent buffer over the same bytes).
 */
public interface ModelSource extends Closeable {

  /** A name for messages: the URI or path the bytes came from. */
  String uri();

  /** Total size in bytes. */
  long size();

  /**
   * Bytes {@code [offset, offset + length)}. The caller has checked the range against {@link #size()};
   * one slice is at most {@link Integer#MAX_VALUE} bytes (a single tensor never exceeds that).
   */
  ByteBuffer slice(long offset, int length) throws IOException;
}
