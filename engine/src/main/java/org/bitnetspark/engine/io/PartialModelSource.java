package org.bitnetspark.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Some byte ranges of a model file, enough to load one part of it (a pipeline stage, a tensor
 * shard): the driver of a model-parallel job ships each executor only the bytes its part reads.
 * {@link #capture} finds those ranges by loading the part once against the full file and recording
 * every read, so the ranges are exactly what the loader needs, never a second list to keep in step.
 *
 * <p>Serialised form ({@link #toBytes}): {@code long fileSize, int uriLength, uri UTF-8, int count},
 * then {@code count} pairs {@code (long offset, int length)}, then the ranges' bytes in order.
 */
public final class PartialModelSource implements ModelSource {
  private final String uri;
  private final long size;
  private final long[] offsets; // sorted, non-overlapping
  private final int[] lengths;
  private final int[] starts; // where each range's bytes start in data
  private final byte[] data; // the serialised form itself: a broadcast value is not copied

  private PartialModelSource(String uri, long size, long[] offsets, int[] lengths, byte[] data, int dataStart) {
    this.uri = uri;
    this.size = size;
    this.offsets = offsets;
    this.lengths = lengths;
    this.data = data;
    this.starts = new int[offsets.length];
    if (offsets.length > 0) starts[0] = dataStart;
    for (int i = 1; i < offsets.length; i++) starts[i] = starts[i - 1] + lengths[i - 1];
  }

  /**
   * Runs {@code load} against {@code source} while recording what it reads, then returns those bytes
   * (adjacent and overlapping reads merged) in serialised form.
   */
  public static byte[] capture(ModelSource source, Consumer<ModelSource> load) throws IOException {
    List<long[]> reads = Collections.synchronizedList(new ArrayList<>());
    ModelSource recording = new ModelSource() {
      @Override
      public String uri() {
        return source.uri();
      }

      @Override
      public long size() {
        return source.size();
      }

      @Override
      public ByteBuffer slice(long offset, int length) throws IOException {
        reads.add(new long[] {offset, offset + length});
        return source.slice(offset, length);
      }

      @Override
      public void close() {}
    };
    load.accept(recording);
    List<long[]> merged = merge(reads);
    long total = 0;
    for (long[] r : merged) total += r[1] - r[0];
    byte[] uriBytes = source.uri().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long headerBytes = 8 + 4 + uriBytes.length + 4 + 12L * merged.size();
    if (headerBytes + total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(source.uri() + ": this model part reads " + total + " bytes, more than one "
          + "broadcast value holds (2 GiB); use --model-distribution path or more model-parallel ranks");
    }
    ByteBuffer out = ByteBuffer.allocate((int) (headerBytes + total)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(source.size()).putInt(uriBytes.length).put(uriBytes).putInt(merged.size());
    for (long[] r : merged) out.putLong(r[0]).putInt((int) (r[1] - r[0]));
    for (long[] r : merged) out.put(source.slice(r[0], (int) (r[1] - r[0])));
    return out.array();
  }

  private static List<long[]> merge(List<long[]> reads) {
    List<long[]> sorted = new ArrayList<>(reads);
    sorted.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] r : sorted) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.add(r.clone());
    }
    return merged;
  }

  /** Reads the serialised form (the bytes are kept, not copied). */
  public static PartialModelSource fromBytes(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long size = in.getLong();
    byte[] uri = new byte[in.getInt()];
    in.get(uri);
    int count = in.getInt();
    long[] offsets = new long[count];
    int[] lengths = new int[count];
    for (int i = 0; i < count; i++) {
      offsets[i] = in.getLong();
      lengths[i] = in.getInt();
    }
    return new PartialModelSource(new String(uri, java.nio.charset.StandardCharsets.UTF_8), size, offsets, lengths,
        bytes, in.position());
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public long size() {
    return size;
  }

  /** Bytes of the file held (the part's share). */
  public long heldBytes() {
    long n = 0;
    for (int l : lengths) n += l;
    return n;
  }

  @Override
  public ByteBuffer slice(long offset, int length) {
    int i = Arrays.binarySearch(offsets, offset);
    if (i < 0) i = -i - 2; // the range starting at or before offset
    if (i < 0 || offset + length > offsets[i] + lengths[i]) {
      throw new IllegalArgumentException(uri + ": bytes [" + offset + ", " + (offset + length) + ") are not in this "
          + "model part; it was cut for another part or another file");
    }
    int at = starts[i] + (int) (offset - offsets[i]);
    return ByteBuffer.wrap(data, at, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() {}
}
