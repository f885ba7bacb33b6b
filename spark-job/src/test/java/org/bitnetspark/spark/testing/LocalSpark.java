package org.bitnetspark.spark.testing;

import org.apache.spark.sql.SparkSession;
import org.bitnetspark.spark.BitNetKryoRegistrator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Our Spark testing base: a JUnit 5 extension giving a test class one shared local SparkSession
 * ({@code local[4]}: barrier stages need all their slots at once; Kryo with registration required,
 * as the jobs run; no UI; bound to 127.0.0.1), injected as a parameter of test methods or of
 * {@code @BeforeAll} methods, and stopped after the class.
 */
public final class LocalSpark implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LocalSpark.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).getOrComputeIfAbsent("spark", k -> start(), SparkSession.class);
  }

  static SparkSession start() {
    return SparkSession.builder().master("local[4]").appName("bitnet-spark tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrationRequired", "true")
        .config("spark.kryo.registrator", BitNetKryoRegistrator.class.getName())
        .getOrCreate();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    SparkSession s = context.getStore(NS).remove("spark", SparkSession.class);
    if (s != null) s.stop();
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getStore(NS).getOrComputeIfAbsent("spark", k -> start(), SparkSession.class);
  }
}
