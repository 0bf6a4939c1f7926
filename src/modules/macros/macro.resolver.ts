import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { TicketPayload } from '../tickets/ticket.payloads';
import { ownedFieldsResolver } from '../access/owned-fields.resolver';
import { Macro } from './macro.entity';
import { ApplyMacroInput, CreateMacroInput, MacroRefInput, UpdateMacroInput } from './macro.inputs';
import { DeletedPayload } from './macro.payloads';

const STAFF_ONLY = 'Staff accounts only (customers and API keys: FORBIDDEN).';

@Resolver(() => Macro)
export class MacroResolver {
  @Query(() => [Macro], { description: `The macros you may apply: the shared ones and your own, by name. ${STAFF_ONLY}` })
  macros(@Ctx() ctx: Context) {
    return ctx.services.macros.list();
  }

  @Mutation(() => Macro, { description: `Saves a new macro, personal or (admins) shared. Unknown placeholders are refused. ${STAFF_ONLY}` })
  createMacro(@Arg('input', () => CreateMacroInput, { description: INPUT }) input: CreateMacroInput, @Ctx() ctx: Context) {
    return ctx.services.macros.create(input);
  }

  @Mutation(() => Macro, { description: `Replaces a macro’s name and actions: your own, or (admins) a shared one. ${STAFF_ONLY}` })
  updateMacro(@Arg('input', () => UpdateMacroInput, { description: INPUT }) input: UpdateMacroInput, @Ctx() ctx: Context) {
    return ctx.services.macros.update(input);
  }

  @Mutation(() => DeletedPayload, { description: `Deletes a macro: your own, or (admins) a shared one. ${STAFF_ONLY}` })
  async deleteMacro(@Arg('input', () => MacroRefInput, { description: INPUT }) input: MacroRefInput, @Ctx() ctx: Context) {
    return { deletedId: await ctx.services.macros.delete(input.macroId) };
  }

  @Mutation(() => TicketPayload, {
    description:
      'Applies a macro to a ticket in one transaction: its comment (placeholders filled from what you may see), status, priority and tags, ' +
      `each with the rules and timeline entry of its own mutation; if any step is refused, nothing is written. ${STAFF_ONLY}`,
  })
  async applyMacro(@Arg('input', () => ApplyMacroInput, { description: INPUT }) input: ApplyMacroInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.macros.apply(input) };
  }
}

export const MacroOwnerResolver = ownedFieldsResolver(Macro, 'macro');
