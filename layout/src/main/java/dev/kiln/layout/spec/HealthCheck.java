package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonWriter;
import java.util.List;

/** Docker's Healthcheck: the test command and durations in nanoseconds. */
public record HealthCheck(List<String> test, Long interval, Long timeout, Long startPeriod, Long startInterval,
                          Long retries, ObjectNode extra) {
    public HealthCheck {
        test = test == null ? null : List.copyOf(test);
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    public static HealthCheck fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        return new HealthCheck(f.strings("Test"), f.longValue("Interval"), f.longValue("Timeout"),
                f.longValue("StartPeriod"), f.longValue("StartInterval"), f.longValue("Retries"), f.rest());
    }

    public ObjectNode toJson() {
        return new JsonWriter()
                .strings("Test", test)
                .put("Interval", interval)
                .put("Timeout", timeout)
                .put("StartPeriod", startPeriod)
                .put("StartInterval", startInterval)
                .put("Retries", retries)
                .rest(extra)
                .build();
    }
}
