package io.wsgate.bench;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** The output options every bench mode shares: a JSON file and a markdown row appended to a report. */
final class ResultOutput {
    @Option(names = "--json-out", description = "also write the result as JSON to this file")
    Path jsonOut;

    @Option(names = "--md-append", description = "append one markdown table row to this file (header written when the file is new)")
    Path mdAppend;

    @Option(names = "--label", description = "the target's name in the markdown row (default: the URL)")
    String label;

    /** Prints the text report and writes the optional files. */
    void emit(String url, String text, Map<String, Object> json, String markdownHeader,
              java.util.function.Function<String, String> markdownRow) {
        System.out.print(text);
        if (jsonOut != null) {
            ResultFiles.write(jsonOut, json);
        }
        if (mdAppend != null) {
            ResultFiles.appendRow(mdAppend, markdownHeader, markdownRow.apply(label == null ? url : label));
        }
    }
}
