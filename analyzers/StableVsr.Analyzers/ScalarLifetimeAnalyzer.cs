using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StableVsr.Analyzers;

/// <summary>
/// SVSR001: a TorchSharp <c>Scalar</c> that nothing keeps alive. A Scalar owns a native value and frees it from its
/// finalizer, and dispose scopes do not track Scalars; a temporary one (an implicit conversion such as
/// <c>x.mul(0.5)</c>, or the literal 1 that <c>Tensor.add(Tensor)</c> passes as alpha) is unreachable once its handle is
/// read, so a collection during the native call can free it while libtorch reads it: "Expected false to be true ...
/// toFloat at c10/core/Scalar.h", or a silently wrong value. Flags (a) Scalars built in our code and not held by a
/// <c>using</c>, a field or a property, or handed back to the caller, and (b) calls of TorchSharp members that build
/// such a temporary themselves (the list in TorchSharpScalarMembers.txt, derived from TorchSharp's source).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalarLifetimeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The rule's id.</summary>
    public const string Id = "SVSR001";

    private static readonly DiagnosticDescriptor Rule = new(
        Id,
        "A TorchSharp Scalar may be freed while libtorch reads it",
        "{0}",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "TorchSharp Scalars are freed by their finalizer and are not tracked by dispose scopes, so a temporary Scalar can be collected during the native call that reads it. Hold Scalars for the duration of the call (a cached Scalar, 'using var s = value.ToScalar()'), and call TorchSharp overloads that take such a Scalar instead of those that build one internally.");

    private static readonly ImmutableHashSet<string> MembersBuildingScalars = ReadMemberList();

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar") is not { } scalar)
            {
                return;
            }

            start.RegisterOperationAction(
                c => AnalyzeScalarBuilt(c, scalar),
                OperationKind.Conversion,
                OperationKind.Invocation);
            start.RegisterOperationAction(
                AnalyzeMemberUsed,
                OperationKind.Invocation,
                OperationKind.Binary,
                OperationKind.Unary,
                OperationKind.CompoundAssignment,
                OperationKind.Conversion,
                OperationKind.ObjectCreation,
                OperationKind.PropertyReference);
        });
    }

    private static void AnalyzeScalarBuilt(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var builds = context.Operation switch
        {
            IConversionOperation conversion => conversion.Conversion.IsUserDefined && Is(conversion.Type, scalar),
            IInvocationOperation invocation => invocation.TargetMethod.Name == "ToScalar" && Is(invocation.TargetMethod.ReturnType, scalar),
            _ => false,
        };
        if (builds && !IsKeptAlive(context.Operation))
        {
            var what = context.Operation is IConversionOperation ? "converted to a TorchSharp Scalar" : "a TorchSharp Scalar";
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                context.Operation.Syntax.GetLocation(),
                $"'{context.Operation.Syntax}' is {what} that nothing keeps alive: it can be freed while libtorch reads it. Use a cached Scalar for a constant, 'using var' for a value that varies."));
        }
    }

    private static void AnalyzeMemberUsed(OperationAnalysisContext context)
    {
        ISymbol? member = context.Operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IBinaryOperation binary => binary.OperatorMethod,
            IUnaryOperation unary => unary.OperatorMethod,
            ICompoundAssignmentOperation compound => compound.OperatorMethod,
            IConversionOperation { Conversion.IsUserDefined: true } conversion => conversion.Conversion.MethodSymbol,
            IObjectCreationOperation creation => creation.Constructor,
            IPropertyReferenceOperation reference => reference.Property,
            _ => null,
        };
        if (member?.OriginalDefinition.GetDocumentationCommentId() is { } id && MembersBuildingScalars.Contains(id))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                context.Operation.Syntax.GetLocation(),
                $"'{member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' builds a temporary TorchSharp Scalar inside TorchSharp that can be freed while libtorch reads it. Call an overload that takes a Scalar you hold; where TorchSharp has none, suppress with the reason."));
        }
    }

    /// <summary>
    /// Held by a <c>using</c> (alive until disposed), stored in a field or property (alive with its owner), or handed
    /// back to the caller (whose code this rule checks in turn); anything else is a temporary.
    /// </summary>
    private static bool IsKeptAlive(IOperation built)
    {
        var parent = built.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        return parent switch
        {
            IReturnOperation => true,
            IFieldInitializerOperation or IPropertyInitializerOperation => true,
            ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation } => true,
            IVariableInitializerOperation initializer => IsUsingDeclaration(initializer),
            _ => false,
        };
    }

    private static bool IsUsingDeclaration(IVariableInitializerOperation initializer)
    {
        // initializer -> declarator -> declaration -> (declaration group ->) using
        for (var ancestor = initializer.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            switch (ancestor)
            {
                case IUsingDeclarationOperation or IUsingOperation:
                    return true;
                case IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation:
                    continue;
                default:
                    return false;
            }
        }

        return false;
    }

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol expected) => SymbolEqualityComparer.Default.Equals(type, expected);

    private static ImmutableHashSet<string> ReadMemberList()
    {
        using var stream = typeof(ScalarLifetimeAnalyzer).Assembly.GetManifestResourceStream("StableVsr.Analyzers.TorchSharpScalarMembers.txt")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd()
            .Split(['\n', '\r'], System.StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim())
            .Where(line => !line.StartsWith("#", System.StringComparison.Ordinal))
            .ToImmutableHashSet(System.StringComparer.Ordinal);
    }
}
