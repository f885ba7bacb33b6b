package org.bitnetspark.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.zip.GZIPInputStream;

/**
 * Resolves a model location to a {@link ModelSource}:
 * <ul>
 *   <li>{@value #DEFAULT_MODEL} (or null): the small trained model bundled in the jar;</li>
 *   <li>a local path or {@code file:} URI: memory-mapped;</li>
 *   <li>any other scheme: a {@link ModelSourceProvider} found on the class path (the Spark module
 *       adds Hadoop's file systems).</li>
 * </ul>
 * A name ending in {@code .gz} is decompressed into memory (up to 2 GiB).
 */
public final class ModelSources {
  /** The location that names the bundled model. */
  public static final String DEFAULT_MODEL = "default";
  /** The bundled model: tiny-shakespeare BitNet b1.58 (TQ2_0 weights, Q8_0 embedding), gzip-compressed. */
  public static final String BUNDLED_RESOURCE = "/org/bitnetspark/engine/models/tiny-shakespeare-bitnet-tq2_0-q8emb.gguf.gz";

  private ModelSources() {}

  public static ModelSource open(String location) throws IOException {
    if (location == null || location.equals(DEFAULT_MODEL)) return bundled();
    Path path = localPath(location);
    if (path != null) {
      if (!Files.exists(path)) {
        throw new FileNotFoundException("model file " + path.toAbsolutePath() + " does not exist; check the --model path "
            + "(or pass '" + DEFAULT_MODEL + "' for the bundled model)");
      }
      if (path.toString().endsWith(".gz")) {
        try (InputStream in = Files.newInputStream(path)) {
          return new ByteArrayModelSource(path.toString(), gunzip(in, path.toString()));
        }
      }
      return new LocalModelSource(path);
    }
    URI uri = URI.create(location);
    for (ModelSourceProvider p : ServiceLoader.load(ModelSourceProvider.class)) {
      if (p.supports(uri)) return p.open(uri);
    }
    throw new IOException("no model source for scheme '" + uri.getScheme() + "' in " + location
        + "; hdfs://, s3a:// and other Hadoop file systems need the bitnet-spark jar (and its Hadoop configuration) "
        + "on the class path");
  }

  /** Whether the location is a directory (a Hugging Face checkpoint) rather than a model file. */
  public static boolean isDirectory(String location) throws IOException {
    if (location == null || location.equals(DEFAULT_MODEL)) return false;
    Path path = localPath(location);
    if (path != null) return Files.isDirectory(path);
    URI uri = URI.create(location);
    for (ModelSourceProvider p : ServiceLoader.load(ModelSourceProvider.class)) {
      if (p.supports(uri)) return p.isDirectory(uri);
    }
    return false;
  }

  /** The local path a location names (a plain path or a {@code file:} URI), or null for other schemes. */
  private static Path localPath(String location) {
    // a location with a scheme (hdfs://..., file:/...) is a URI, anything else a local path
    if (!location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) return Path.of(location);
    URI uri = URI.create(location);
    return uri.getScheme().equals("file") ? Path.of(uri) : null;
  }

  /** A file inside a directory location (local path or URI). */
  public static String child(String directory, String name) {
    return directory.endsWith("/") ? directory + name : directory + "/" + name;
  }

  /** The bundled default model. */
  public static ModelSource bundled() throws IOException {
    try (InputStream in = ModelSources.class.getResourceAsStream(BUNDLED_RESOURCE)) {
      if (in == null) throw new IOException("the bundled model " + BUNDLED_RESOURCE + " is missing from the jar");
      return new ByteArrayModelSource("bundled:" + BUNDLED_RESOURCE.substring(BUNDLED_RESOURCE.lastIndexOf('/') + 1),
          gunzip(in, BUNDLED_RESOURCE));
    }
  }

  private static byte[] gunzip(InputStream raw, String name) throws IOException {
    try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > Integer.MAX_VALUE - 8) {
          throw new IOException(name + " decompresses to more than 2 GiB; decompress it to a local file first");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }
}
