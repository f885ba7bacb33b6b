package org.bitnetspark.engine.kernel;

/**
 * Whether the Vector API kernels can run fast here. Touches the Vector API only when the module is
 * present (loaded by name, so a JVM without the module never links those classes).
 */
final class VectorSupport {
  private VectorSupport() {}

  static boolean has256BitVectors() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
    try {
      Class<?> probe = Class.forName("org.bitnetspark.engine.kernel.VectorSupport$Probe");
      return (Boolean) probe.getMethod("preferredAtLeast256").invoke(null);
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** The only place that asks the Vector API about the CPU. */
  public static final class Probe {
    private Probe() {}

    public static Boolean preferredAtLeast256() {
      return jdk.incubator.vector.ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }
  }
}
