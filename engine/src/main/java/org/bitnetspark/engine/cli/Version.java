package org.bitnetspark.engine.cli;

import picocli.CommandLine;

/** The version from the jar manifest (the Maven project version). */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = BitNetCli.class.getPackage().getImplementationVersion();
    return new String[] {"bitnet-engine " + (v == null ? "(development build)" : v)};
  }
}
