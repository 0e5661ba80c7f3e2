package io.sightline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.crossmodal.CrossmodalTrainCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The conventions every command shares (README, CLI): one error line
 * {@code sightline: <what>: <why>; try: <hint>} on stderr, exit code 2 for usage errors
 * (unknown options, bad values, a missing file or folder named on the command line), 1 for a
 * failure of the data, lower-case option values, a quiet progress bar off a terminal. Fast: no
 * command here gets as far as embedding or training.
 */
class CliConventionsTest {
  static final String TEMPLATE = "{\"name\":\"story\",\"width\":1080,\"height\":1920,\"fixed\":[],"
      + "\"floating\":[{\"name\":\"title\",\"text\":\"Title\",\"region\":[0,0,1,0.85],\"size\":[0.6,0.08]}]}";

  @TempDir
  Path tmp;

  /** Every leaf command, with its arguments pointing at files and folders that do not exist. */
  private List<String[]> missingInputs() {
    String no = tmp.resolve("no-such").toString();
    String img = tmp.resolve("x.png").toString();
    String out = tmp.resolve("out").toString();
    return List.of(
        new String[] {"describe", "index", "--refs", no + ".jsonl", "--db", out},
        new String[] {"describe", "query", "--db", no, img},
        new String[] {"describe", "train-scorer", "--db", no, "--labels", no + ".jsonl", "--out", out},
        new String[] {"tag", "train", "--images", no + ".csv", "--model", out},
        new String[] {"tag", "suggest", "--model", no, img},
        new String[] {"product", "train-intent", "--samples", no + ".csv", "--out", out},
        new String[] {"product", "index", "--catalog", no + ".csv", "--db", out},
        new String[] {"product", "search", "--db", no, img},
        new String[] {"product", "remove", "--db", no, "id"},
        new String[] {"product", "sync", "--catalog", no + ".csv", "--db", out},
        new String[] {"poster", "compose", "--template", no + ".json", "--out", out, img},
        new String[] {"crossmodal", "train", "--pairs", no + ".jsonl", "--model", out},
        new String[] {"crossmodal", "retrieve", "--model", no, "--images", tmp.toString(), "a cup"},
        new String[] {"crossmodal", "caption", "--model", no, img},
        new String[] {"crossmodal", "index", "--model", no, "--images", tmp.toString()},
        new String[] {"crossmodal", "evaluate", "--model", no, "--pairs", no + ".jsonl"},
        new String[] {"demo", "--data", no, "--out", out});
  }

  /** The command's name in its error line: the arguments before the first option. */
  private static String name(String[] args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("-")) {
        break;
      }
      words.add(a);
    }
    return String.join(" ", words);
  }

  /** The run printed exactly one line on stderr, in the CLI's error format, for this command. */
  private static void assertOneErrorLine(CliRun r, String command, String hintStart) {
    List<String> lines = r.err().strip().lines().toList();
    assertThat(lines).as(command + " stderr").hasSize(1);
    assertThat(lines.get(0)).as(command)
        .matches(Pattern.quote("sightline: " + command + ": ") + "[^\n]+" + Pattern.quote("; try: " + hintStart)
            + ".*");
    assertThat(r.out()).as(command + " stdout").isEmpty();
  }

  @Test
  void everyCommandReportsAnUnknownOptionAsOneUsageLine() {
    for (String[] args : missingInputs()) {
      String command = name(args);
      List<String> a = new ArrayList<>(List.of(args));
      a.add("--no-such-option");
      CliRun r = CliRun.of(a.toArray(String[]::new));
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(CliSupport.USAGE);
      assertOneErrorLine(r, command, "sightline " + command + " --help");
      assertThat(r.err()).as(command).contains("--no-such-option");
    }
  }

  @Test
  void everyCommandReportsAMissingFileOrFolderAsOneUsageLine() {
    for (String[] args : missingInputs()) {
      String command = name(args);
      CliRun r = CliRun.of(args);
      assertThat(r.code()).as(command + ": " + r.err()).isEqualTo(CliSupport.USAGE);
      assertOneErrorLine(r, command, "");
      assertThat(r.err()).as(command).containsPattern("no such (file|folder): " + Pattern.quote(tmp.toString()));
    }
  }

  @Test
  void badValuesAreUsageErrors() {
    String img = tmp.resolve("x.png").toString();
    String db = tmp.toString();
    String[][] bad = {
        {"describe", "query", "--db", db, "--top-images", "-1", img},
        {"describe", "query", "--db", db, "--match-threshold", "NaN", img},
        {"describe", "query", "--db", db, "--top-images", "many", img},
        {"describe", "index", "--refs", img, "--db", db, "--on-error", "ignore"},
        {"tag", "train", "--images", img, "--model", db, "--method", "bogus"},
        {"tag", "suggest", "--model", db, "--top", "0", img},
        {"product", "search", "--db", db, "--filters", "strict", img},
        {"poster", "compose", "--template", img, "--out", db, "--placement", "centre", img},
        {"crossmodal", "retrieve", "--model", db, "--images", db, "--top", "0", "a cup"},
        {"demo", "--only", "nonsense"},
        {},
        {"tag"},
        {"no-such-command"},
    };
    for (String[] args : bad) {
      CliRun r = CliRun.of(args);
      String command = args.length == 0 || args[0].equals("no-such-command") ? "usage" : name(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(CliSupport.USAGE);
      assertOneErrorLine(r, command, "sightline");
    }
    // picocli's list of enum values is shown as users type them
    assertThat(CliRun.of(bad[4]).err()).contains("expected one of kmeans, mini_batch_kmeans, gaussian_mixture, dbscan but was 'bogus'");
  }

  @Test
  void aFolderThatIsNotAStoreIsAFailureOfTheDataWithAHint() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    String img = tmp.resolve("x.png").toString();
    CliRun search = CliRun.of("product", "search", "--db", empty.toString(), img);
    assertThat(search.code()).as(search.err()).isEqualTo(CliSupport.FAILURE);
    assertOneErrorLine(search, "product search", "build one with 'sightline product index'");
    CliRun remove = CliRun.of("product", "remove", "--db", empty.toString(), "id");
    assertThat(remove.code()).as(remove.err()).isEqualTo(CliSupport.FAILURE);
    assertOneErrorLine(remove, "product remove", "build one with 'sightline product index'");
    CliRun tags = CliRun.of("tag", "suggest", "--model", empty.toString(), img);
    assertThat(tags.code()).as(tags.err()).isEqualTo(CliSupport.FAILURE);
    assertOneErrorLine(tags, "tag suggest", "make one with 'sightline tag train");
    CliRun caption = CliRun.of("crossmodal", "caption", "--model", empty.toString(), img);
    assertThat(caption.code()).as(caption.err()).isEqualTo(CliSupport.FAILURE);
    assertOneErrorLine(caption, "crossmodal caption", "train one with 'sightline crossmodal train");
  }

  @Test
  void aPathOutsideTheInputFilesFolderIsRefusedWithTheAllowedRootHint() throws Exception {
    Path inside = Files.createDirectories(tmp.resolve("pairs"));
    Path outside = Files.copy(Path.of("../testdata/photos/chelsea.png"), tmp.resolve("chelsea.png"));
    for (String written : new String[] {outside.toString(), "../chelsea.png"}) {
      Path pairs = Files.writeString(inside.resolve("pairs.jsonl"), "{\"image\":\"" + written
          + "\",\"text\":\"a cat\"}\n");
      CliRun r = CliRun.of("crossmodal", "train", "--pairs", pairs.toString(), "--model", tmp.resolve("m").toString());
      assertThat(r.code()).as(r.err()).isEqualTo(CliSupport.FAILURE);
      assertOneErrorLine(r, "crossmodal train", "--allowed-root DIR");
      assertThat(r.err()).contains(written);
    }
  }

  @Test
  void crossmodalTrainRefusesAWordDropoutOutsideItsRange() throws Exception {
    Path pairs = Files.writeString(tmp.resolve("wd.jsonl"), "{\"image\":\"x.png\",\"text\":\"a cat\"}\n");
    for (String p : new String[] {"1", "-0.1", "NaN"}) {
      CliRun r = CliRun.of("crossmodal", "train", "--pairs", pairs.toString(), "--model", tmp.resolve("wd").toString(),
          "--word-dropout", p);
      assertThat(r.code()).as(r.err()).isEqualTo(CliSupport.USAGE);
      assertThat(r.err()).contains("--word-dropout");
    }
  }

  @Test
  void aBadImageIsReportedOnceAsItsJsonLine() throws Exception {
    Path template = Files.writeString(tmp.resolve("story.json"), TEMPLATE);
    Path bad = Files.writeString(tmp.resolve("bad.png"), "not an image");
    CliRun r = CliRun.of("poster", "compose", "--template", template.toString(), "--out",
        tmp.resolve("out").toString(), bad.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(CliSupport.FAILURE);
    assertThat(r.out().strip().lines()).hasSize(1);
    assertThat(r.out()).contains("\"image\":\"bad.png\"").contains("\"error\"");
    assertThat(r.err().lines().filter(l -> l.startsWith("sightline:"))).isEmpty();
  }

  @Test
  void optionValuesAreAcceptedAndShownInLowerCase() {
    CommandLine root = CliSupport.commandLine(new SightlineCli());
    List<String> checked = new ArrayList<>();
    walk(root, checked);
    assertThat(checked).contains("tag suggest --strategy", "tag train --method", "tag train --init",
        "tag train --update");
    // lower case and upper case parse alike
    String[] tagTrain = {"tag", "train", "--images", "t.csv", "--model", "m"};
    for (String v : new String[] {"mini_batch_kmeans", "Mini_Batch_KMeans", "MINI_BATCH_KMEANS"}) {
      CommandLine cl = CliSupport.commandLine(new SightlineCli());
      List<String> a = new ArrayList<>(List.of(tagTrain));
      a.addAll(List.of("--method", v, "--init", "kmeans_plus_plus", "--update", "warm_start"));
      cl.parseArgs(a.toArray(String[]::new));
    }
    // hand-parsed values too: --only is checked before --data, so a missing --data proves the step was accepted
    CliRun demo = CliRun.of("demo", "--only", "Posters", "--data", tmp.resolve("no-such").toString());
    assertThat(demo.code()).isEqualTo(CliSupport.USAGE);
    assertThat(demo.err()).contains("--data: no such folder").doesNotContain("unknown step");
  }

  private static void walk(CommandLine cl, List<String> checked) {
    String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
      if (o.type().isEnum()) {
        String name = cl.getCommandSpec().qualifiedName(" ").replaceFirst("^sightline ", "") + " " + o.longestName();
        checked.add(name);
        for (Object c : o.type().getEnumConstants()) {
          String upper = ((Enum<?>) c).name();
          assertThat(help).as(name + " help").doesNotContainPattern("\\b" + upper + "\\b")
              .contains(upper.toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      walk(sub, checked);
    }
  }

  @Test
  void progressRedrawsInPlaceOnATerminalAndIsQuietElsewhere() {
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    var bar = CliSupport.progressBar(new PrintStream(tty, true, StandardCharsets.UTF_8), true);
    for (int i = 1; i <= 50; i++) {
      bar.onProgress("index", i, 50, null);
    }
    String t = tty.toString(StandardCharsets.UTF_8);
    assertThat(t).startsWith("\r[index] ").contains("50/50");
    assertThat(t.chars().filter(c -> c == '\n').count()).isEqualTo(1); // one line, ended when done
    assertThat(t).endsWith("\n");

    ByteArrayOutputStream pipe = new ByteArrayOutputStream();
    var quiet = CliSupport.progressBar(new PrintStream(pipe, true, StandardCharsets.UTF_8), false);
    for (int i = 1; i <= 50; i++) {
      quiet.onProgress("index", i, 50, null);
    }
    quiet.onProgress("epochs", 3, -1, null);
    String p = pipe.toString(StandardCharsets.UTF_8);
    assertThat(p).doesNotContain("\r");
    assertThat(p.lines()).containsExactly("[index] [" + "#".repeat(30) + "] 50/50");
  }

  /** A command that fails with an Error, which picocli does not hand to its exception handler. */
  @CommandLine.Command(name = "sightline", subcommands = Boom.class)
  static final class Root implements Runnable {
    @Override
    public void run() {}
  }

  @CommandLine.Command(name = "boom")
  static final class Boom implements Runnable {
    @Override
    public void run() {
      throw new UnsatisfiedLinkError("no opencv_java in java.library.path");
    }
  }

  @Test
  void anErrorOfTheJvmIsOneLineToo() {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = CliSupport.execute(CliSupport.commandLine(new Root()), "boom");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(CliSupport.FAILURE);
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines()).singleElement().asString()
        .startsWith("sightline: boom: UnsatisfiedLinkError: no opencv_java in java.library.path; try: a native library");
  }

  @Test
  void trainingProgressSaysNotAvailableInsteadOfNaN() {
    assertThat(CrossmodalTrainCommand.withoutNaN("loss=0.5000 val=NaN textAcc=0.100 12.0 samples/s"))
        .isEqualTo("loss=0.5000 val=n/a textAcc=0.100 12.0 samples/s");
  }
}
