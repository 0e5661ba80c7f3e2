package io.sightline.core.store;

import java.nio.file.Path;

/** Child process of {@link DatabaseInUseTest}: opens a database, prints "ready", holds it until its input ends. */
public final class HoldDatabaseMain {
  private HoldDatabaseMain() {}

  public static void main(String[] args) throws Exception {
    try (Database db = Database.openFile(Path.of(args[0]), "held")) {
      System.out.println("ready");
      System.out.flush();
      System.in.readAllBytes();
    }
  }
}
