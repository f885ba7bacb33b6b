package org.bitnetspark.spark.model;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.io.ChunkedModelSource;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.io.PartialModelSource;
import org.bitnetspark.engine.model.ModelConfig;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.parallel.Parallelism;
import org.bitnetspark.engine.tokenizer.Tokenizers;

/**
 * The driver's side of model distribution: checks the model (header, config, tokenizer) before
 * any task starts, so a bad file fails the job at once with the file, offset and field, and either
 * broadcasts it or lets executors read it. A Hugging Face checkpoint directory is converted to GGUF
 * here once; broadcast then ships the compact GGUF, path has each executor convert it again.
 */
public final class ModelLocator {
  private ModelLocator() {}

  /** What the driver learned about the model, and how executors will get it. */
  public record Located(ModelRef ref, ModelConfig config, ModelDistribution distribution, long broadcastBytes) {}

  public static Located locate(JavaSparkContext sc, String location, ModelDistribution requested) throws IOException {
    return locate(sc, location, requested, Parallelism.DATA);
  }

  /**
   * Like {@link #locate(JavaSparkContext, String, ModelDistribution)}; a model-parallel job checks here
   * that the model can be split that way, and a broadcast ships each rank only its part's bytes.
   */
  public static Located locate(JavaSparkContext sc, String location, ModelDistribution requested,
      Parallelism parallelism) throws IOException {
    long size;
    long mtime;
    if (location.equals(ModelSources.DEFAULT_MODEL)) {
      size = -1;
      mtime = 0;
    } else {
      URI uri = URI.create(location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*") ? location
          : new java.io.File(location).getAbsoluteFile().toURI().toString());
      Path path = new Path(uri);
      FileStatus status = path.getFileSystem(HadoopConfs.current()).getFileStatus(path);
      size = status.isDirectory() ? -1 : status.getLen(); // a checkpoint: the size of the GGUF it becomes
      mtime = status.getModificationTime();
    }
    ModelConfig config;
    ModelDistribution distribution;
    List<byte[]> bytes = null;
    List<byte[]> parts = null;
    try (ModelSource source = ModelInputs.open(location)) {
      // the bundled model (every executor has it in its jar) or a checkpoint directory (converted here)
      if (size < 0) size = source.size();
      GgufFile f = GgufReader.read(source);
      config = ModelConfig.fromGguf(location, f.metadata(), Tokenizers.fromGguf(location, f.metadata()).vocabSize());
      distribution = requested.resolve(size);
      for (int r = 0; r < parallelism.degree(); r++) parallelism.partFor(r).choose(f, config); // can it be split?
      if (distribution == ModelDistribution.BROADCAST) {
        if (parallelism.isModelParallel()) parts = partsOf(source, parallelism);
        else bytes = chunksOf(source);
      }
    }
    List<Broadcast<byte[]>> broadcasts = bytes == null ? null : broadcastAll(sc, bytes);
    List<Broadcast<byte[]>> partBroadcasts = parts == null ? null : broadcastAll(sc, parts);
    long shipped = bytes != null ? size : parts == null ? 0 : parts.stream().mapToLong(b -> b.length).sum();
    return new Located(new ModelRef(location, size, mtime, broadcasts, parallelism.toString(), partBroadcasts), config,
        distribution, shipped);
  }

  private static List<Broadcast<byte[]>> broadcastAll(JavaSparkContext sc, List<byte[]> values) {
    List<Broadcast<byte[]>> out = new ArrayList<>(values.size());
    for (byte[] v : values) out.add(sc.broadcast(v));
    return out;
  }

  /** Each rank's part: exactly the bytes its part's load reads (an executor fetches only its own). */
  private static List<byte[]> partsOf(ModelSource source, Parallelism p) throws IOException {
    List<byte[]> parts = new ArrayList<>(p.degree());
    for (int r = 0; r < p.degree(); r++) {
      int rank = r;
      parts.add(PartialModelSource.capture(source, s -> ModelLoader.load(s, p.partFor(rank))));
    }
    return parts;
  }

  /** The source's bytes as chunks of at most 256 MiB (a broadcast value must fit one array). */
  private static List<byte[]> chunksOf(ModelSource source) throws IOException {
    if (source instanceof ChunkedModelSource c) return c.chunks();
    List<byte[]> chunks = new ArrayList<>();
    for (long off = 0; off < source.size(); off += ChunkedModelSource.DEFAULT_CHUNK_BYTES) {
      int n = (int) Math.min(ChunkedModelSource.DEFAULT_CHUNK_BYTES, source.size() - off);
      byte[] chunk = new byte[n];
      source.slice(off, n).get(chunk);
      chunks.add(chunk);
    }
    return chunks;
  }
}
