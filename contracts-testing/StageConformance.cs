using System.Reflection;
using System.Text.Json;
using AgentSight.Contracts;
using Xunit;

namespace AgentSight.Contracts.Testing;

/// <summary>What analyzers and sinks share: the factory, its configuration, a scratch folder, and how events compare.</summary>
/// <typeparam name="TFactory">The plugin's factory, as the host finds it.</typeparam>
/// <remarks>xunit makes one instance per test, so each test has its own <see cref="Workspace"/>.</remarks>
public abstract class StageConformance<TFactory> : IDisposable
    where TFactory : IPluginFactory, new()
{
    /// <summary>How long one call into the plugin may take before the suite calls it hung.</summary>
    protected static readonly TimeSpan CallBound = TimeSpan.FromSeconds(30);

    /// <summary>Creates the factory and an empty scratch folder.</summary>
    protected StageConformance()
    {
        Factory = new TFactory();
        Workspace = Directory.CreateTempSubdirectory("agentsight-conformance-").FullName;
    }

    /// <summary>The factory under test.</summary>
    protected TFactory Factory { get; }

    /// <summary>An empty folder of this test's own, removed afterwards: where a sink's outputs go.</summary>
    protected string Workspace { get; }

    /// <summary>The configuration the tests run with; by default the factory's defaults.</summary>
    protected virtual PluginConfig Config() => Factory.CreateDefaultConfig();

    /// <summary>
    /// Configurations that <see cref="PluginConfig.Validate"/> must refuse, each with the key (as the manifest spells
    /// it) that one of its errors must name. None is only right for a configuration of <c>bool</c> properties alone.
    /// </summary>
    protected virtual IEnumerable<(PluginConfig Config, string Key)> InvalidConfigs() => [];

    /// <summary>
    /// Recorded events of the kinds the plugin reads, as new objects on every call (an analyzer may change the events
    /// it is given). <see cref="ConformanceEvents.Load"/> reads an NDJSON recording.
    /// </summary>
    protected abstract IEnumerable<AgentEvent> SampleEvents();

    /// <summary>
    /// How an event is compared: by default its whole JSON line. Override to leave out what differs from run to run
    /// by design (random ids), so that two runs on the same events still compare equal.
    /// </summary>
    protected virtual string Describe(AgentEvent evt) => AgentEventJson.ToJson(evt);

    /// <summary>The factory describes its plugin, and a new configuration and the tests' one are complete and valid.</summary>
    [Fact]
    public void The_factory_describes_its_plugin_and_a_new_configuration_is_valid()
    {
        Assert.False(string.IsNullOrWhiteSpace(Factory.Description), "the factory's Description is what plugins list shows: one sentence");
        Assert.True(typeof(PluginConfig).IsAssignableFrom(Factory.ConfigType), $"ConfigType {Factory.ConfigType} must derive from PluginConfig");
        Assert.NotNull(Factory.ConfigType.GetConstructor(Type.EmptyTypes));
        Assert.NotNull(Factory.Roles);

        var defaults = Factory.CreateDefaultConfig();
        Assert.IsType(Factory.ConfigType, defaults);
        Assert.True(!defaults.Validate().Any(), $"a new {Factory.ConfigType.Name} must be valid, but: {Errors(defaults)}");
        var config = Config();
        Assert.IsType(Factory.ConfigType, config);
        Assert.True(!config.Validate().Any(), $"the configuration the tests run with must be valid, but: {Errors(config)}");
    }

    /// <summary>A wrong value is refused before anything starts, with an error that names its key and says what is wrong.</summary>
    [Fact]
    public void A_wrong_configuration_is_refused_with_an_error_naming_its_key()
    {
        var keys = ConfigKeys(Factory.ConfigType);
        var invalid = InvalidConfigs().ToList();
        if (invalid.Count == 0)
        {
            var settable = Factory.ConfigType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
            Assert.True(settable.All(p => p.PropertyType == typeof(bool)),
                $"{Factory.ConfigType.Name} has keys that can hold a wrong value ({string.Join(", ", settable.Where(p => p.PropertyType != typeof(bool)).Select(p => Key(p.Name)))}): list wrong configurations in InvalidConfigs()");
        }
        foreach (var (config, key) in invalid)
        {
            Assert.IsType(Factory.ConfigType, config);
            var errors = config.Validate().ToList();
            Assert.True(errors.Count > 0, $"a configuration wrong in {key} was accepted");
            Assert.True(errors.Any(e => e.Key == key), $"the errors name {Errors(config)}, not {key}");
            foreach (var error in errors)
            {
                var first = error.Key.Split('.', '[')[0];
                Assert.True(error.Key.Length == 0 || keys.Contains(first),
                    $"error key \"{error.Key}\" is not a key of {Factory.ConfigType.Name} (keys: {string.Join(", ", keys)})");
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"the error on {error.Key} says nothing");
                Assert.NotEqual(error.Key, error.Message);
            }
        }
    }

    /// <summary>Removes <see cref="Workspace"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes <see cref="Workspace"/>; override to release more, and call this.</summary>
    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Workspace, recursive: true);
        }
        catch (IOException)
        {
            // A sink that failed a test may still hold a file; the folder is in the temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Runs <paramref name="call"/> and fails the test when it does not end within <see cref="CallBound"/>.</summary>
    protected static async Task Bounded(string what, Func<Task> call)
    {
        var task = Task.Run(call);
        var finished = await Task.WhenAny(task, Task.Delay(CallBound));
        Assert.True(finished == task, $"{what} did not return within {CallBound.TotalSeconds} s: a call that never returns holds the host's shutdown");
        await task;
    }

    /// <summary>The errors of a configuration, for messages.</summary>
    protected static string Errors(PluginConfig config) =>
        string.Join("; ", config.Validate().Select(e => $"{(e.Key.Length == 0 ? "(config)" : e.Key)}: {e.Message}"));

    private static string Key(string property) => JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    private static HashSet<string> ConfigKeys(Type configType) =>
        [.. configType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => Key(p.Name))];
}
