from ariadne import ObjectType, gql, make_executable_schema, snake_case_fallback_resolvers

from .resolvers import mutation, query, resolve_submit_report

type_defs = gql("""
    type Query {
        categories: [Category!]!
        myReports: [Report!]!
        report(id: ID!): Report
        expense(id: ID!): Expense
    }

    type Mutation {
        createReport(title: String!): Report!
        addExpense(reportId: ID!, input: ExpenseInput!): Expense!
        deleteExpense(id: ID!): Boolean!
        submitReport(id: ID!): Report!
        approveReport(id: ID!): Report!
    }

    input ExpenseInput {
        categoryId: ID!
        description: String!
        amountCents: Int!
    }

    type Category {
        id: ID!
        name: String!
    }

    type Report {
        id: ID!
        title: String!
        status: String!
        expenses: [Expense!]!
        totalCents: Int!
    }

    type Expense {
        id: ID!
        description: String!
        amountCents: Int!
        receiptUrl: String
    }
""")

report_type = ObjectType("Report")


@report_type.field("expenses")
def resolve_report_expenses(report, info):
    return report.expenses


@report_type.field("totalCents")
def resolve_report_total(report, info):
    return sum(expense.amount_cents for expense in report.expenses)


mutation.set_field("submitReport", resolve_submit_report)

schema = make_executable_schema(type_defs, query, mutation, report_type, snake_case_fallback_resolvers)
