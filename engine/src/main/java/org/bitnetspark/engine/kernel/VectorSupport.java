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

  /**
   * Whether a 512-bit byte permute is one instruction here: C2 compiles the lookup kernel's rearranges to
   * {@code vpermb} with AVX-512 VBMI, and to a slow emulation without it. The JDK does not report CPU
   * features, so this reads the {@code avx512vbmi} flag in {@code /proc/cpuinfo} (Linux; elsewhere: no).
   */
  static boolean hasFast512BitBytePermute() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
    try {
      Class<?> probe = Class.forName("org.bitnetspark.engine.kernel.VectorSupport$Probe");
      if (!(Boolean) probe.getMethod("preferredAtLeast512").invoke(null)) return false;
    } catch (ReflectiveOperationException e) {
      return false;
    }
    return cpuFlags().contains("avx512vbmi"); // Linux spells VBMI (1) so; VBMI2 is avx512_vbmi2
  }

  private static java.util.Set<String> cpuFlags() {
    java.nio.file.Path cpuinfo = java.nio.file.Path.of("/proc/cpuinfo");
    try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("flags")).findFirst()
          .map(l -> java.util.Set.copyOf(java.util.Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
          .orElse(java.util.Set.of());
    } catch (java.io.IOException | RuntimeException e) {
      return java.util.Set.of();
    }
  }

  /** The only place that asks the Vector API about the CPU. */
  public static final class Probe {
    private Probe() {}

    public static Boolean preferredAtLeast256() {
      return jdk.incubator.vector.ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    public static Boolean preferredAtLeast512() {
      return jdk.incubator.vector.ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }
  }
}
