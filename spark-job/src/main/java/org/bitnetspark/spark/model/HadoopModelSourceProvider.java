package org.bitnetspark.spark.model;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSourceProvider;

/**
 * Models on any Hadoop file system (hdfs://, s3a://, abfs://, ...), read range by range
 * ({@link HadoopModelSource}). Registered with {@link java.util.ServiceLoader}, so every engine entry
 * point accepts these URIs when this jar is on the class path. Local files never come here: the engine
 * memory-maps them.
 */
public final class HadoopModelSourceProvider implements ModelSourceProvider {

  @Override
  public boolean supports(URI uri) {
    if (uri.getScheme() == null) return false;
    try {
      FileSystem.getFileSystemClass(uri.getScheme(), HadoopConfs.current());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public ModelSource open(URI uri) throws IOException {
    Path path = new Path(uri);
    return new HadoopModelSource(uri.toString(), path.getFileSystem(HadoopConfs.current()), path);
  }

  @Override
  public boolean isDirectory(URI uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(HadoopConfs.current());
    return fs.exists(path) && fs.getFileStatus(path).isDirectory();
  }
}
