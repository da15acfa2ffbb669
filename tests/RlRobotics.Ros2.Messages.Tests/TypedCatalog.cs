using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Tests;

/// <summary>Every typed message class in the library, found by reflection so a new class cannot be left out of the tests.</summary>
internal static class TypedCatalog
{
    public static readonly IReadOnlyList<Type> Types = typeof(IRosMessage).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRosMessage<>)))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    public static IRosMessage Create(Type type) => (IRosMessage)Activator.CreateInstance(type)!;

    public static Type? For(MessageSchema schema) => Types.FirstOrDefault(t => Create(t).GetSchema() == schema);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var t in Types) data.Add(t.FullName!);
        return data;
    }

    public static Type ByName(string fullName) => Types.Single(t => t.FullName == fullName);
}
