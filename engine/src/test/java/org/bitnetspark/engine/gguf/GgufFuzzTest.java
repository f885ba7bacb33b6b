package org.bitnetspark.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.io.ByteArrayModelSource;
import org.bitnetspark.engine.model.ModelConfig;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.TinyModels;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded random corruption of a real model file (the bundled one): truncations anywhere, and byte
 * flips concentrated in the header, where they change counts, lengths, types and offsets. Every
 * damaged file must either load or fail with one of our two named errors, never anything else (an
 * index or arithmetic error, an OutOfMemoryError), within the time limit, and reading the header
 * must never allocate more than the file's size.
 */
class GgufFuzzTest {
  private static byte[] model;
  private static int headerBytes;

  @BeforeAll
  static void load() {
    model = TinyModels.bundledBytes();
    headerBytes = (int) GgufReader.read(new ByteArrayModelSource("bundled", model)).dataStart();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void truncatedFilesFailWithANamedError() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 300; i++) {
      int length = i < 150 ? r.nextInt(headerBytes + 1) : r.nextInt(model.length);
      byte[] cut = java.util.Arrays.copyOf(model, length);
      Throwable t = attempt(cut, false);
      assertTrue(t instanceof ModelFormatException, "truncation to " + length + " bytes gave " + t);
      assertTrue(t.getMessage().contains("truncated") || t.getMessage().contains("header"),
          "truncation to " + length + ": the message should say the file is truncated: " + t.getMessage());
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void flippedBytesFailWithANamedErrorOrLoad() {
    SplittableRandom r = new SplittableRandom(2);
    int failures = 0;
    for (int i = 0; i < 600; i++) {
      byte[] damaged = model.clone();
      int flips = 1 + r.nextInt(4);
      for (int f = 0; f < flips; f++) {
        // mostly the first KiB (counts, lengths, hyper-parameters), then anywhere in the header
        int at = r.nextInt(4) == 0 ? r.nextInt(headerBytes) : r.nextInt(1024);
        damaged[at] ^= (byte) (1 << r.nextInt(8));
      }
      // a full load (weights too) for some cases; the header and config for the rest
      Throwable t = attempt(damaged, i % 20 == 0);
      if (t != null) {
        failures++;
        if (!(t instanceof ModelFormatException || t instanceof UnsupportedModelException)) {
          fail("flipped bytes gave an unnamed error", t);
        }
      }
    }
    assertTrue(failures > 50, "the flips should break the file often; broke " + failures + " of 600");
  }

  /** Reads the file; returns the error, or null if it loaded. Checks the allocation bound. */
  private static Throwable attempt(byte[] bytes, boolean loadWeights) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    try {
      GgufFile f = GgufReader.read(new ByteArrayModelSource("fuzzed.gguf", bytes));
      long allocated = mx.getCurrentThreadAllocatedBytes() - before;
      // Java strings and arrays cost more than their bytes in the file; the bound is what matters:
      // a corrupt count can never make the reader allocate beyond a small multiple of the file
      assertTrue(allocated <= 4L * bytes.length + (1 << 20), "reading the header allocated " + allocated
          + " bytes for a " + bytes.length + "-byte file");
      if (loadWeights) {
        ModelLoader.load(new ByteArrayModelSource("fuzzed.gguf", bytes));
      } else {
        Tokenizer tok = Tokenizers.fromGguf(f.uri(), f.metadata());
        ModelConfig.fromGguf(f.uri(), f.metadata(), tok.vocabSize());
      }
      return null;
    } catch (ModelFormatException | UnsupportedModelException e) {
      return e;
    } catch (RuntimeException | OutOfMemoryError e) {
      return e;
    }
  }
}
