package io.sightline.examples.describer;

import io.sightline.core.CancellationToken;
import io.sightline.describer.DictionaryEntityExtractor;
import io.sightline.describer.EntityExtractor;
import io.sightline.describer.ErrorPolicy;
import io.sightline.describer.IngestReport;
import io.sightline.core.instance.Matcher;
import io.sightline.describer.NameFinderEntityExtractor;
import io.sightline.describer.OpenNlpEntityExtractor;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.UrlPolicy;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline describe index --refs refs.jsonl --db DIR [--matcher global|local|hybrid]}: adds
 * (or updates) the references of a {@code refs.jsonl} to the store in DIR and prints one JSON
 * summary line
 * {@code {"db","lines","added","merged","updated","skipped","references","images","matcher","embedder","instanceImages","errors":[{"line","message"}]}}.
 * With {@code --embedder FILE.onnx --preset NAME [--embedder-output NAME]} the image vectors come
 * from that ONNX model (default: the training-free descriptor); the choice is recorded in
 * {@code DIR/embedder.json} and every later command on the store uses it without being told.
 * The matcher is recorded in the store ({@code describe query} uses it without being told); a new
 * store without {@code --matcher} gets {@link Matcher#DEFAULT}.
 * Malformed lines are skipped and reported (default) or, with {@code --on-error reject}, the whole
 * file is refused and nothing is ingested (exit code 1).
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Add the reference images and pages of a refs.jsonl to a describer store.")
public final class DescribeIndexCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--refs", required = true, paramLabel = "FILE", description = "refs.jsonl (UTF-8)")
  Path refs;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the input file may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "store folder (created if needed)")
  Path db;

  @Option(names = "--on-error", paramLabel = "POLICY",
      description = "what to do with malformed lines: skip (report and go on) or reject (ingest nothing); default ${DEFAULT-VALUE}")
  String onError = "skip";

  @Option(names = "--dictionary", paramLabel = "FILE",
      description = "extract entities with this gazetteer (one name per line, tab, aliases separated by |) instead of OpenNLP")
  Path dictionary;

  @Option(names = "--name-finder", paramLabel = "MODEL",
      description = "extract entities with a name finder model trained with NameFinderEntityExtractor")
  Path nameFinder;

  @Option(names = "--reextract", description = "if the store was built with another extractor, re-extract every page")
  boolean reextract;

  @Option(names = "--matcher", paramLabel = "MATCHER",
      description = "how target images are matched: global (image vectors; near-copies), local (verified local"
          + " features; the same object in a new photo) or hybrid (both). Recorded in the store. Without it a new"
          + " store gets the default matcher (printed as \"matcher\") and an existing store keeps its own;"
          + " local and hybrid can be switched, global -> local/hybrid builds the instance index from the stored"
          + " image files, local/hybrid -> global is refused")
  String matcher;

  @Option(names = "--allow-urls", paramLabel = "HOSTS",
      description = "fetch http(s) image URLs from these hosts (comma-separated, or * for any public host);"
          + " without it a line with an image URL is malformed. Hosts that resolve to internal addresses"
          + " (loopback, private, link-local) are refused unless --allow-private-urls is given")
  String allowUrls;

  @Option(names = "--allow-private-urls", description = "let --allow-urls hosts resolve to internal addresses")
  boolean allowPrivateUrls;

  @Option(names = "--url-timeout", paramLabel = "SECONDS", defaultValue = "20",
      description = "time budget of one image download, redirects included; default ${DEFAULT-VALUE}")
  double urlTimeout;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  /** The hint of a skipped line: the option that lets its image path in, or none. */
  static String hintFor(String message) {
    return CliSupport.outsideAllowedRoot(message) ? "--allowed-root DIR" : null;
  }

  @Override
  public Integer call() {
    embedderOptions.asked();
    CliSupport.requireFile(spec, refs, "--refs");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    CliSupport.requireFile(spec, dictionary, "--dictionary");
    CliSupport.requireFile(spec, nameFinder, "--name-finder");
    ErrorPolicy policy = switch (onError.toLowerCase(java.util.Locale.ROOT)) {
      case "skip" -> ErrorPolicy.SKIP;
      case "reject" -> ErrorPolicy.REJECT;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--on-error must be skip or reject, got "
          + onError);
    };
    UrlPolicy urls = UrlPolicy.NONE;
    if (!(urlTimeout > 0 && urlTimeout <= 3600)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--url-timeout must be in (0, 3600] seconds");
    }
    if (allowUrls != null) {
      try {
        urls = UrlPolicy.parse(allowUrls).withPrivateAddresses(allowPrivateUrls)
            .withTimeout(java.time.Duration.ofMillis(Math.round(urlTimeout * 1000)));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--allow-urls: " + e.getMessage());
      }
    } else if (allowPrivateUrls) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--allow-private-urls needs --allow-urls");
    }
    if (dictionary != null && nameFinder != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "use either --dictionary or --name-finder");
    }
    Matcher asked;
    try {
      asked = matcher == null ? null : Matcher.parse(matcher);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--matcher: " + e.getMessage());
    }
    EntityExtractor extractor = dictionary != null ? DictionaryEntityExtractor.load(dictionary)
        : nameFinder != null ? NameFinderEntityExtractor.load(nameFinder) : OpenNlpEntityExtractor.english();
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ReferenceStore store = ReferenceStore.builder().directory(db).embedder(emb.embedder()).extractor(extractor)
             .reextract(reextract).matcher(asked).progress(CliSupport.progressBar()).build()) {
      emb.record(db);
      IngestReport r = store.importJsonl(refs, allowedRoot != null ? allowedRoot : refs.toAbsolutePath().getParent(),
          urls, policy, CliSupport.progressBar(), CancellationToken.NONE);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("db", db.toString());
      line.put("lines", r.lines());
      line.put("added", r.added());
      line.put("merged", r.merged());
      line.put("updated", r.updated());
      line.put("skipped", r.skipped());
      line.put("references", store.size());
      line.put("images", store.imageCount());
      line.put("matcher", store.matcher().id());
      line.put("embedder", store.embedder().id());
      line.put("instanceImages", store.instanceImageCount());
      List<Map<String, Object>> errors = new ArrayList<>();
      for (IngestReport.LineError e : r.errors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", e.line());
        m.put("message", e.message());
        errors.add(m);
        CliSupport.error(refs + ":" + e.line(), "skipped: " + e.message(), hintFor(e.message()));
      }
      line.put("errors", errors);
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }
}
